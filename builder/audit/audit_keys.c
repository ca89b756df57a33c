/* audit_keys: a node's private keys stay in its own layer, readable by
 * their owner alone. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_check.h"

/* Files that hold secrets by their name, private key or not. */
static const char *const secret_paths[] = {
	"/etc/ssh/ssh_host_*_key",
	"/etc/dropbear/dropbear_*_host_key",
	"/etc/kubernetes/ssl/*-key.pem",
	"/etc/kubernetes/ssl/kubecfg-*.yaml",
	"/etc/kubernetes/ssl/encryption.yaml",
	"/etc/kubernetes/audit-policy.yaml",
	"/etc/paddock/registry-auth.json",
	"/var/lib/kubelet/config.json",
	NULL,
};

/* Cluster keys every controlplane node needs the same copy of: the
 * service-account signing key (any kube-apiserver checks the tokens any
 * controller-manager signs).  Shared at this path only. */
static const char *const cluster_keys[] = {
	"/etc/kubernetes/ssl/kube-service-account-token-key.pem",
	NULL,
};

static bool is_secret_path(const char *path)
{
	for (size_t i = 0; secret_paths[i]; i++)
		if (!fnmatch(secret_paths[i], path, FNM_PATHNAME))
			return true;
	return false;
}

struct secrets {
	struct audit_verdict *v;        /* NULL: only count */
	size_t n;
};

static bool secret_one(void *ctx, const struct audit_file *f)
{
	struct secrets *s = ctx;
	if (!S_ISREG(f->mode) || !is_secret_path(f->path))
		return true;
	s->n++;
	if (s->v && (f->mode & 077))
		verdict_fail(s->v, "%s is %04o, not 0600", f->path, (unsigned)(f->mode & 07777));
	return s->v != NULL;
}

bool audit_has_secret_files(const struct audit_view *v)
{
	struct secrets s = { NULL, 0 };
	audit_view_each(v, secret_one, &s);
	return s.n > 0;
}

void audit_secret_modes(const struct audit_subject *s, struct audit_verdict *v)
{
	const struct key_hits *keys = &s->out->nodes[s->node].keys;
	struct secrets sec = { v, 0 };
	audit_view_each(s->view, secret_one, &sec);
	size_t checked = 0;
	for (size_t i = 0; i < keys->n; i++) {
		const struct audit_file *f = audit_view_get(s->view, keys->v[i].path);
		if (!f || is_secret_path(f->path))
			continue;       /* replaced by a later entry; or counted above */
		checked++;
		if (f->mode & 077)
			verdict_fail(v, "%s holds a private key and is %04o, not 0600", f->path,
				     (unsigned)(f->mode & 07777));
	}
	if (sec.n + checked == 0)
		verdict_missing(v, "no private key or secret file in the node's layers (TLS and SSH host keys "
				   "come with the cluster PKI)");
	verdict_note(v, "%zu secret file(s), 0600", sec.n + checked);
}

static int by_fp(const void *a, const void *b)
{
	const struct audit_keyref *x = a, *y = b;
	return strcmp(x->hit->fp, y->hit->fp);
}

static void add_refs(struct audit_keyref *v, size_t *n, const struct key_hits *h, size_t owner)
{
	for (size_t i = 0; i < h->n; i++)
		v[(*n)++] = (struct audit_keyref){ &h->v[i], owner };
}

int audit_keys_index(struct audit_out *o)
{
	size_t total = o->shared_keys.n + o->out_keys.n + o->operator_keys.n, n = 0;
	for (size_t i = 0; i < o->n; i++)
		total += o->nodes[i].keys.n;
	free(o->keyidx);
	o->keyidx = calloc(total ? total : 1, sizeof(*o->keyidx));
	if (!o->keyidx)
		return -ENOMEM;
	add_refs(o->keyidx, &n, &o->shared_keys, AUDIT_OWNER_SHARED);
	add_refs(o->keyidx, &n, &o->out_keys, AUDIT_OWNER_OUT);
	add_refs(o->keyidx, &n, &o->operator_keys, AUDIT_OWNER_OPERATOR);
	for (size_t i = 0; i < o->n; i++)
		add_refs(o->keyidx, &n, &o->nodes[i].keys, i);
	qsort(o->keyidx, n, sizeof(*o->keyidx), by_fp);
	o->nkeyidx = n;
	return 0;
}

static bool cluster_key(const char *path)
{
	for (size_t i = 0; cluster_keys[i]; i++)
		if (!strcmp(path, cluster_keys[i]))
			return true;
	return false;
}

/* Where else the key of hit h (owned by node) is. */
static void elsewhere(const struct audit_out *o, const struct key_hit *h, size_t node, struct audit_verdict *v)
{
	struct audit_keyref want = { h, 0 };
	const struct audit_keyref *r = bsearch(&want, o->keyidx, o->nkeyidx, sizeof(want), by_fp);
	while (r && r > o->keyidx && !strcmp(r[-1].hit->fp, h->fp))
		r--;
	for (; r && r < o->keyidx + o->nkeyidx && !strcmp(r->hit->fp, h->fp); r++) {
		if (r->owner == node)
			continue;
		if (r->owner == AUDIT_OWNER_OPERATOR)
			verdict_fail(v, "%s is the operator's key OUT/%s", h->path, r->hit->path);
		else if (r->owner == AUDIT_OWNER_OUT)
			verdict_fail(v, "%s is also in OUT/%s", h->path, r->hit->path);
		else if (r->owner == AUDIT_OWNER_SHARED)
			verdict_fail(v, "%s is also in the shared base layer (%s)", h->path, r->hit->path);
		else if (!(cluster_key(h->path) && !strcmp(h->path, r->hit->path)))
			verdict_fail(v, "%s is also in node %s's layer (%s)", h->path, o->nodes[r->owner].name,
				     r->hit->path);
	}
}

void audit_keys_confined(const struct audit_subject *s, struct audit_verdict *v)
{
	const struct audit_out *o = s->out;
	if (s->kind == AUDIT_BASE) {
		for (size_t i = 0; i < o->shared_keys.n; i++)
			verdict_fail(v, "%s (%s) is in a layer every node boots", o->shared_keys.v[i].path,
				     o->shared_keys.v[i].label);
		verdict_note(v, "no private key in %s", o->shared_layers.n ? o->shared_layers.v[0] : "a shared layer");
		return;
	}
	if (s->kind == AUDIT_OUT) {
		for (size_t i = 0; i < o->out_keys.n; i++)
			verdict_fail(v, "OUT/%s holds a private key (%s)", o->out_keys.v[i].path,
				     o->out_keys.v[i].label);
		verdict_note(v, "no private key in OUT's own files; %zu in the operator's files", o->operator_keys.n);
		return;
	}
	const struct key_hits *keys = &o->nodes[s->node].keys;
	for (size_t i = 0; i < keys->n; i++)
		elsewhere(o, &keys->v[i], s->node, v);
	verdict_note(v, "%zu private key(s), found in this node only", keys->n);
}
