/* audit_files: the layers read, the node config, modes in the image and
 * in OUT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_check.h"
#include "strv.h"

#define PERM(m) ((unsigned)((m) & 07777))

void audit_layers(const struct audit_subject *s, struct audit_verdict *v)
{
	const struct audit_outnode *n = &s->out->nodes[s->node];
	if (n->read_error) {
		verdict_fail(v, "%s", n->read_error);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	for (char **l = n->layers; *l; l++)
		sb_printf(&sb, "%s%s", l == n->layers ? "" : " + ", *l);
	verdict_note(v, "%s: %zu paths", sb.s ? sb.s : "no layer", n->entries);
	sb_free(&sb);
}

void audit_node_config(const struct audit_subject *s, struct audit_verdict *v)
{
	const struct audit_view *view = s->view;
	if (view->cfg_error) {
		if (!strncmp(view->cfg_error, "missing: ", 9))
			verdict_missing(v, "%s", view->cfg_error + 9);
		else
			verdict_fail(v, "%s", view->cfg_error);
		return;
	}
	const char *name = nodecfg_get(&view->cfg, "node.name");
	if (!name)
		verdict_fail(v, NODECFG_PATH " has no node.name");
	else if (strcmp(name, s->name))
		verdict_fail(v, NODECFG_PATH " is node %s's, in node %s's layers", name, s->name);
	struct strbuf roles = STRBUF_INIT;
	size_t pos = 0;
	for (const char *r; (r = nodecfg_next(&view->cfg, "node.role", &pos));)
		sb_printf(&roles, "%s%s", roles.len ? "," : "", r);
	verdict_note(v, "node %s, roles %s", name ? name : "?", roles.s ? roles.s : "none");
	sb_free(&roles);
}

/* Character devices everyone may write by design. */
static const char *const open_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx", NULL,
};

struct ww {
	struct audit_verdict *v;
	size_t seen;
};

static bool ww_one(void *ctx, const struct audit_file *f)
{
	struct ww *w = ctx;
	w->seen++;
	if (S_ISLNK(f->mode) || !(f->mode & S_IWOTH))
		return true;
	if (S_ISDIR(f->mode) && (f->mode & S_ISVTX))
		return true;    /* /tmp: others' files stay theirs */
	if (S_ISCHR(f->mode))
		for (size_t i = 0; open_devices[i]; i++)
			if (!strcmp(f->path, open_devices[i]))
				return true;
	verdict_fail(w->v, "%s is %04o", f->path, PERM(f->mode));
	return true;
}

void audit_world_writable(const struct audit_subject *s, struct audit_verdict *v)
{
	struct ww w = { v, 0 };
	audit_view_each(s->view, ww_one, &w);
	verdict_note(v, "none of %zu paths (sticky directories and /dev/null-like devices aside)", w.seen);
}

static const struct audit_outfile *out_file(const struct audit_out *o, const char *rel)
{
	for (size_t i = 0; i < o->nfiles; i++)
		if (!strcmp(o->files[i].rel, rel))
			return &o->files[i];
	return NULL;
}

/* Whether rel is one of OUT's files that hold node n's own layer: the
 * layers the manifest gives it that no other node boots, and their copies
 * in the boot media (media.h): <node>/node.img, <node>/initrd.img,
 * <node>/<node>.iso, tftp/nodes/<node>.img, ipxe/nodes/<node>.img. */
static bool holds_node_layer(const struct audit_out *o, const struct audit_outnode *n, const char *rel)
{
	size_t nl = strlen(n->name);
	const char *file = rel + nl + 1;
	if (!strncmp(rel, n->name, nl) && rel[nl] == '/' &&
	    (!strcmp(file, "node.img") || !strcmp(file, "initrd.img") ||
	     (!strncmp(file, n->name, nl) && !strcmp(file + nl, ".iso"))))
		return true;
	if ((!strncmp(rel, "tftp/nodes/", 11) || !strncmp(rel, "ipxe/nodes/", 11)) && !strncmp(rel + 11, n->name, nl) &&
	    !strcmp(rel + 11 + nl, ".img"))
		return true;
	for (char **l = n->layers; l && *l; l++)
		if (!strcmp(*l, rel) && !strv_contains(&o->shared_layers, rel))
			return true;
	return false;
}

static void node_modes(const struct audit_subject *s, struct audit_verdict *v)
{
	const struct audit_outnode *n = &s->out->nodes[s->node];
	const struct audit_outfile *d = out_file(s->out, n->name);
	size_t copies = 0;
	if (!d || !S_ISDIR(d->mode))
		verdict_missing(v, "OUT/%s/", n->name);
	else if (d->mode & 077)
		verdict_fail(v, "OUT/%s/ is %04o, not 0700", n->name, PERM(d->mode));
	for (size_t i = 0; i < s->out->nfiles; i++) {
		const struct audit_outfile *f = &s->out->files[i];
		if (!S_ISREG(f->mode) || !holds_node_layer(s->out, n, f->rel))
			continue;
		copies++;
		if (n->has_secrets && (f->mode & 077))
			verdict_fail(v, "OUT/%s is %04o and holds the node's secrets, not 0600", f->rel, PERM(f->mode));
	}
	verdict_note(v, "OUT/%s/ 0700%s (%zu file(s) with its layer)", n->name,
		     n->has_secrets ? ", its layers 0600" : "; its layers hold no secret", copies);
}

void audit_out_modes(const struct audit_subject *s, struct audit_verdict *v)
{
	if (s->kind == AUDIT_NODE) {
		node_modes(s, v);
		return;
	}
	size_t secrets = 0;
	for (size_t i = 0; i < s->out->nfiles; i++) {
		const struct audit_outfile *f = &s->out->files[i];
		bool keyed = false;
		for (size_t k = 0; k < s->out->out_keys.n && !keyed; k++)
			keyed = !strcmp(s->out->out_keys.v[k].path, f->rel);
		if (!f->operator && !keyed)
			continue;
		secrets++;
		if (S_ISDIR(f->mode) && (f->mode & 077))
			verdict_fail(v, "OUT/%s/ is %04o, not 0700", f->rel, PERM(f->mode));
		else if (!S_ISDIR(f->mode) && (f->mode & 077))
			verdict_fail(v, "OUT/%s is %04o, not 0600", f->rel, PERM(f->mode));
	}
	if (secrets)
		verdict_note(v, "%zu operator file(s) and directories, 0600/0700", secrets);
	else
		verdict_note(v, "no operator secret file in OUT");
}
