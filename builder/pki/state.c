/* state: the cluster state in memory, and its JSON form. */
#include "pki/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "json.h"
#include "pki/cert.h"
#include "pki/state_file.h"
#include "strbuf.h"
#include "strv.h"

#define FORMAT 1
#define MAX_STATE (256u << 20)

struct slot {
	char *name;
	char *text;
	EVP_PKEY *key;  /* parsed from text, when asked for */
	X509 *cert;
};

/* Both start with their name (by_name). */
struct scope {
	char *name;     /* NULL: the cluster's */
	struct slot *v;
	size_t n, cap;
};

struct pki_state {
	char *path;
	int lock;       /* holds the flock on <path>.lock */
	bool is_new;    /* no state file yet */
	bool dirty;
	long long now, born;
	struct scope cluster;
	struct scope *nodes;    /* sorted by name */
	size_t nnodes, capnodes;
	struct perr last;
	struct pki_keys *keys;  /* OpenSSL contexts kept for the next key */
	long long first_end;    /* pki_state_saw_expiry */
	char *first_what;
	struct strv renewed;    /* pki_state_saw_renewal */
};

static void slot_clear_cache(struct slot *s)
{
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	s->key = NULL;
	s->cert = NULL;
}

static void scope_free(struct scope *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		slot_clear_cache(&sc->v[i]);
		free(sc->v[i].name);
		pki_secret_free(sc->v[i].text);
	}
	free(sc->v);
	free(sc->name);
}

/* Where key is (*found) or goes in a sorted array of n elements of size
 * elem, each starting with its name (struct slot, struct scope). */
static size_t by_name(const void *arr, size_t n, size_t elem, const char *key, bool *found)
{
	size_t lo = 0, hi = n;
	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(*(char *const *)((const char *)arr + mid * elem), key);
		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Makes room for one element at index at of an array of size *n. */
static int grow_at(void **v, size_t *n, size_t *cap, size_t elem, size_t at)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		void *g = realloc(*v, nc * elem);
		if (!g)
			return -ENOMEM;
		*v = g;
		*cap = nc;
	}
	char *base = *v;
	memmove(base + (at + 1) * elem, base + at * elem, (*n - at) * elem);
	memset(base + at * elem, 0, elem);
	(*n)++;
	return 0;
}

static struct scope *find_scope(struct pki_state *st, const char *node, bool add)
{
	if (!node)
		return &st->cluster;
	bool found;
	size_t at = by_name(st->nodes, st->nnodes, sizeof(*st->nodes), node, &found);
	if (found)
		return &st->nodes[at];
	if (!add)
		return NULL;
	char *name = strdup(node);
	if (!name || grow_at((void **)&st->nodes, &st->nnodes, &st->capnodes, sizeof(*st->nodes), at) < 0) {
		free(name);
		return NULL;
	}
	st->nodes[at].name = name;
	return &st->nodes[at];
}

static struct slot *find_slot(struct scope *sc, const char *name, bool add)
{
	bool found;
	if (!sc)
		return NULL;
	size_t at = by_name(sc->v, sc->n, sizeof(*sc->v), name, &found);
	if (found)
		return &sc->v[at];
	if (!add)
		return NULL;
	char *n = strdup(name);
	if (!n || grow_at((void **)&sc->v, &sc->n, &sc->cap, sizeof(*sc->v), at) < 0) {
		free(n);
		return NULL;
	}
	sc->v[at].name = n;
	return &sc->v[at];
}

/* --- on disk --------------------------------------------------------------- */

/* Moves the strings of a JSON object into sc (the tree gives them up, so
 * no second copy of a key is left behind). */
static int load_scope(struct scope *sc, struct json *obj, const char *where, struct perr *err)
{
	if (obj->type != JSON_OBJ)
		return perr_set(err, -EINVAL, "%s: expected an object", where);
	for (struct json *m = obj->child; m; m = m->next) {
		if (m->type != JSON_STR)
			return perr_set(err, -EINVAL, "%s.%s: expected a string", where, m->key);
		struct slot *s = find_slot(sc, m->key, true);
		if (!s)
			return perr_set(err, -ENOMEM, "out of memory");
		if (s->text)
			return perr_set(err, -EINVAL, "%s.%s: given twice", where, m->key);
		s->text = m->str;
		m->str = NULL;
	}
	return 0;
}

static int load(struct pki_state *st, struct json *root, struct perr *err)
{
	if (root->type != JSON_OBJ)
		return perr_set(err, -EINVAL, "expected a JSON object");
	if (json_num_at(root, "paddock_state", 0) != FORMAT)
		return perr_set(err, -EINVAL, "paddock_state: expected format %d (written by another paddock?)",
				FORMAT);
	st->born = (long long)json_num_at(root, "created", 0);
	for (struct json *m = root->child; m; m = m->next) {
		int r = 0;
		if (!strcmp(m->key, "cluster")) {
			r = load_scope(&st->cluster, m, "cluster", err);
		} else if (!strcmp(m->key, "nodes")) {
			if (m->type != JSON_OBJ)
				return perr_set(err, -EINVAL, "nodes: expected an object");
			for (struct json *n = m->child; n && r == 0; n = n->next) {
				struct scope *sc = find_scope(st, n->key, true);
				r = sc ? load_scope(sc, n, n->key, err) : perr_set(err, -ENOMEM, "out of memory");
			}
		} else if (strcmp(m->key, "paddock_state") && strcmp(m->key, "created")) {
			return perr_set(err, -EINVAL, "%s: unknown key", m->key);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static void dump_scope(struct strbuf *sb, const struct scope *sc, const char *indent)
{
	for (size_t i = 0; i < sc->n; i++) {
		sb_printf(sb, "%s\n%s  ", i ? "," : "", indent);
		sb_json_str(sb, sc->v[i].name);
		sb_adds(sb, ": ");
		sb_json_str(sb, sc->v[i].text);
	}
	sb_printf(sb, "%s}", sc->n ? "\n" : "");
	if (sc->n)
		sb_adds(sb, indent);
}

int pki_state_save(struct pki_state *st, struct perr *err)
{
	if (!st->dirty)
		return 0;
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "{\n  \"paddock_state\": %d,\n  \"created\": %lld,\n  \"cluster\": {", FORMAT, st->born);
	dump_scope(&sb, &st->cluster, "  ");
	sb_adds(&sb, ",\n  \"nodes\": {");
	for (size_t i = 0; i < st->nnodes; i++) {
		sb_printf(&sb, "%s\n    ", i ? "," : "");
		sb_json_str(&sb, st->nodes[i].name);
		sb_adds(&sb, ": {");
		dump_scope(&sb, &st->nodes[i], "    ");
	}
	sb_adds(&sb, st->nnodes ? "\n  }\n}\n" : "}\n}\n");
	int r = sb.err ? perr_set(err, -ENOMEM, "out of memory")
		       : state_file_replace(st->path, sb.s, sb.len, err);
	if (sb.s)
		OPENSSL_cleanse(sb.s, sb.cap);
	sb_free(&sb);
	if (r < 0)
		return perr_wrap(err, "cannot save the cluster state");
	st->dirty = false;
	st->is_new = false;
	return 0;
}

/* The error for a state file that cannot be read as one: what to restore. */
static int damaged(const char *path, const char *why, struct perr *err)
{
	char *bak = state_file_backup_path(path), *msg = strdup(why ? why : "");
	int r;
	if (!bak || !msg)
		r = perr_set(err, -ENOMEM, "out of memory");
	else if (access(bak, F_OK) == 0)
		r = perr_set(err, -EINVAL,
			     "%s: %s: the cluster state is damaged; restore it from %s (the copy paddock keeps: the state before "
			     "the last save, or the first save itself: cp -p %s %s) or from your own backup. paddock makes no new CAs over it",
			     path, msg, bak, bak, path);
	else
		r = perr_set(err, -EINVAL,
			     "%s: %s: the cluster state is damaged and there is no %s; restore it from your "
			     "backup of %s. paddock makes no new CAs over it (only if this cluster never ran, "
			     "remove the file to start a new one)",
			     path, msg, bak, path);
	free(msg);
	free(bak);
	return r;
}

int pki_state_open(const char *cluster_file, const struct pki_state_opts *o, struct pki_state **ret,
		   struct perr *err)
{
	struct pki_state *st = calloc(1, sizeof(*st));
	char *buf = NULL;
	size_t len = 0;
	struct json *root = NULL;
	int r, fd = -1;
	if (!st || !(st->path = state_file_path(cluster_file))) {
		free(st);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	st->lock = -1;
	st->now = st->born = o->now;
	if (!(st->keys = pki_keys_new())) {
		pki_state_close(st);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	struct state_lock_opts lo = { o->create, o->waiting, o->ctx };
	if ((r = state_file_lock(st->path, &lo, &st->lock, &fd, err)) < 0) {
		if (r == -ENOENT)
			perr_set(err, r, "%s: no cluster state yet (paddock build or paddock certs issue makes it)",
				 st->path);
		goto out;
	}
	st->is_new = st->dirty = fd < 0;
	if (fd < 0)
		goto out;
	if ((r = state_file_read(fd, st->path, MAX_STATE, &buf, &len, err)) < 0)
		goto out;
	/* a save writes the whole file or nothing: an empty or cut file was
	 * damaged outside paddock (or by a paddock before saves were synced),
	 * and starting over would re-key the cluster */
	if (!len)
		r = damaged(st->path, "empty", err);
	else if ((r = json_parse(buf, len, &root, err)) < 0)
		r = damaged(st->path, err->msg, err);
	else if ((r = load(st, root, err)) < 0)
		perr_wrap(err, "%s", st->path);
out:
	if (fd >= 0)
		close(fd);
	if (buf)
		OPENSSL_cleanse(buf, len);
	free(buf);
	json_free(root);
	if (r < 0) {
		pki_state_close(st);
		return r;
	}
	*ret = st;
	return 0;
}

void pki_state_close(struct pki_state *st)
{
	if (!st)
		return;
	if (st->lock >= 0)
		close(st->lock);
	scope_free(&st->cluster);
	for (size_t i = 0; i < st->nnodes; i++)
		scope_free(&st->nodes[i]);
	free(st->nodes);
	free(st->path);
	free(st->first_what);
	strv_clear(&st->renewed);
	pki_keys_free(st->keys);
	perr_clear(&st->last);
	free(st);
}

const char *pki_state_path(const struct pki_state *st) { return st->path; }
bool pki_state_is_new(const struct pki_state *st) { return st->is_new; }
long long pki_state_now(const struct pki_state *st) { return st->now; }
const struct perr *pki_state_error(const struct pki_state *st) { return &st->last; }

void pki_state_saw_expiry(struct pki_state *st, long long when, const char *node, const char *name)
{
	char *what = NULL;
	if (st->first_end && st->first_end <= when)
		return;
	if ((node ? asprintf(&what, "node %s's %s", node, name) : asprintf(&what, "the cluster's %s", name)) < 0)
		what = NULL;
	free(st->first_what);
	st->first_what = what;
	st->first_end = when;
}

void pki_state_saw_renewal(struct pki_state *st, const char *node, const char *name)
{
	if (node)
		strv_addf(&st->renewed, "node %s's %s", node, name);
	else
		strv_addf(&st->renewed, "the cluster's %s", name);
}

char *const *pki_state_renewals(const struct pki_state *st, size_t *n)
{
	*n = st->renewed.oom ? 0 : st->renewed.n;
	return st->renewed.v;
}

long long pki_state_first_expiry(const struct pki_state *st, const char **what)
{
	*what = st->first_what ? st->first_what : "a certificate";
	return st->first_end;
}

/* --- slots ----------------------------------------------------------------- */

const char *pki_get(struct pki_state *st, const char *node, const char *slot)
{
	struct slot *s = find_slot(find_scope(st, node, false), slot, false);
	return s ? s->text : NULL;
}

/* Removes s from sc. */
static void slot_remove(struct pki_state *st, struct scope *sc, struct slot *s)
{
	slot_clear_cache(s);
	pki_secret_free(s->text);
	free(s->name);
	size_t at = (size_t)(s - sc->v);
	memmove(s, s + 1, (sc->n - at - 1) * sizeof(*s));
	sc->n--;
	st->dirty = true;
}

int pki_put(struct pki_state *st, const char *node, const char *slot, const char *text, struct perr *err)
{
	if (!text) {
		struct scope *sc = find_scope(st, node, false);
		struct slot *s = find_slot(sc, slot, false);
		if (s)
			slot_remove(st, sc, s);
		return 0;
	}
	struct slot *s = find_slot(find_scope(st, node, false), slot, false);
	if (s && !strcmp(text, s->text))
		return 0;
	char *copy = strdup(text);
	if (!copy || (!s && !(s = find_slot(find_scope(st, node, true), slot, true)))) {
		free(copy);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	slot_clear_cache(s);
	pki_secret_free(s->text);
	s->text = copy;
	st->dirty = true;
	return 0;
}

size_t pki_drop(struct pki_state *st, bool nodes, bool (*drop)(const char *slot))
{
	size_t n = 0;
	for (size_t k = 0; k < (nodes ? st->nnodes : 1); k++) {
		struct scope *sc = nodes ? &st->nodes[k] : &st->cluster;
		for (size_t i = sc->n; i-- > 0;)
			if (drop(sc->v[i].name)) {
				slot_remove(st, sc, &sc->v[i]);
				n++;
			}
	}
	return n;
}

size_t pki_forget_nodes(struct pki_state *st, bool (*keep)(void *ctx, const char *node), void *ctx,
			struct strv *forgotten)
{
	size_t n = 0;
	for (size_t i = st->nnodes; i-- > 0;) {
		if (keep(ctx, st->nodes[i].name))
			continue;
		strv_add(forgotten, st->nodes[i].name);
		scope_free(&st->nodes[i]);
		memmove(&st->nodes[i], &st->nodes[i + 1], (st->nnodes - i - 1) * sizeof(*st->nodes));
		st->nnodes--;
		st->dirty = true;
		n++;
	}
	strv_sort(forgotten);
	return n;
}

int pki_key(struct pki_state *st, const char *node, const char *slot, enum pki_key_type type,
	    EVP_PKEY **ret, struct perr *err)
{
	struct slot *s = find_slot(find_scope(st, node, false), slot, false);
	int r = 0;
	if (s && s->key) {
		*ret = s->key;
		return 0;
	}
	EVP_PKEY *k = NULL;
	char *pem = NULL;
	if (s)
		r = pki_key_from_pem(st->keys, s->text, slot, &k, err);
	else if ((r = pki_key_generate(st->keys, type, &k, err)) == 0 && (r = pki_key_to_pem(k, &pem, err)) == 0 &&
		 (r = pki_put(st, node, slot, pem, err)) == 0)
		s = find_slot(find_scope(st, node, false), slot, false);
	pki_secret_free(pem);
	if (r < 0) {
		EVP_PKEY_free(k);
		return node ? perr_wrap(err, "node %s", node) : r;
	}
	s->key = k;
	*ret = k;
	return 0;
}

int pki_cert(struct pki_state *st, const char *node, const char *slot, X509 **ret, struct perr *err)
{
	struct slot *s = find_slot(find_scope(st, node, false), slot, false);
	*ret = NULL;
	if (!s)
		return 0;
	if (!s->cert && pki_cert_from_pem(s->text, slot, &s->cert, err) < 0)
		return node ? perr_wrap(err, "node %s", node) : err->code;
	*ret = s->cert;
	return 0;
}

/* --- the SSH side -------------------------------------------------------- */

EVP_PKEY *pki_ssh_ca_key(struct pki_state *st)
{
	EVP_PKEY *k = NULL;
	perr_clear(&st->last);
	return pki_key(st, NULL, PKI_SLOT_SSH_CA, PKI_KEY_ED25519, &k, &st->last) < 0 ? NULL : k;
}

EVP_PKEY *pki_node_ssh_host_key(struct pki_state *st, const char *node)
{
	EVP_PKEY *k = NULL;
	perr_clear(&st->last);
	return pki_key(st, node, PKI_SLOT_SSH_HOST_KEY, PKI_KEY_ED25519, &k, &st->last) < 0 ? NULL : k;
}

const char *pki_node_get(struct pki_state *st, const char *node, const char *slot)
{
	return pki_get(st, node, slot);
}

int pki_node_put(struct pki_state *st, const char *node, const char *slot, const char *text,
		 struct perr *err)
{
	return pki_put(st, node, slot, text, err);
}
