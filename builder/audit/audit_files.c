/* audit_files: the layers read, the node config, modes in the image and
 * in OUT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_check.h"

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

static void node_modes(const struct audit_subject *s, struct audit_verdict *v)
{
	const struct audit_outnode *n = &s->out->nodes[s->node];
	const struct audit_outfile *d = out_file(s->out, n->name);
	if (!d || !S_ISDIR(d->mode))
		verdict_missing(v, "OUT/%s/", n->name);
	else if (d->mode & 077)
		verdict_fail(v, "OUT/%s/ is %04o, not 0700", n->name, PERM(d->mode));
	static const char *const images[] = { "node.img", "initrd.img", NULL };
	for (size_t i = 0; images[i]; i++) {
		char rel[4200];
		snprintf(rel, sizeof(rel), "%s/%s", n->name, images[i]);
		const struct audit_outfile *f = out_file(s->out, rel);
		if (f && n->has_secrets && (f->mode & 077))
			verdict_fail(v, "OUT/%s is %04o and holds the node's secrets, not 0600", rel, PERM(f->mode));
	}
	verdict_note(v, "OUT/%s/ 0700%s", n->name,
		     n->has_secrets ? ", its layers 0600" : "; its layers hold no secret");
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
