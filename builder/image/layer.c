/* layer: the entries of one initramfs layer. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/layer.h"

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static int reindex(struct layer *l)
{
	size_t cap = l->icap ? 2 * l->icap : 1024;
	size_t *ix = calloc(cap, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		size_t h = hash(l->v[i].path) & (cap - 1);
		while (ix[h])
			h = (h + 1) & (cap - 1);
		ix[h] = i + 1;
	}
	free(l->index);
	l->index = ix;
	l->icap = cap;
	return 0;
}

const struct lent *layer_find(const struct layer *l, const char *path)
{
	if (!l->icap)
		return NULL;
	for (size_t h = hash(path) & (l->icap - 1); l->index[h]; h = (h + 1) & (l->icap - 1))
		if (!strcmp(l->v[l->index[h] - 1].path, path))
			return &l->v[l->index[h] - 1];
	return NULL;
}

static int valid_path(const char *p)
{
	size_t n = strlen(p);
	if (p[0] != '/' || n < 2 || p[n - 1] == '/')
		return 0;
	return !strstr(p, "//") && !strstr(p, "/./") && !strstr(p, "/../") &&
	       strcmp(p + n - 2, "/.") && (n < 3 || strcmp(p + n - 3, "/.."));
}

static const char *type_name(enum lent_type t)
{
	static const char *const n[] = { "directory", "file", "file", "symlink", "device" };
	return n[t];
}

static int same(const struct lent *a, const struct lent *b)
{
	if (a->type != b->type || a->perm != b->perm || a->uid != b->uid || a->gid != b->gid)
		return 0;
	switch (a->type) {
	case LENT_FILE:
		return !strcmp(a->src, b->src);
	case LENT_BLOB:
		return a->len == b->len && !memcmp(a->data, b->data, a->len);
	case LENT_LINK:
		return !strcmp(a->target, b->target);
	case LENT_CHR:
		return a->major == b->major && a->minor == b->minor;
	default:
		return 1;
	}
}

static void lent_free(struct lent *e)
{
	free(e->path);
	free(e->src);
	free(e->data);
	free(e->target);
	free(e->origin);
}

/* Takes ownership of e's strings in every case. */
static int add(struct layer *l, struct lent *e, struct perr *err)
{
	if (!e->path) {
		lent_free(e);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	if (!valid_path(e->path)) {
		int r = perr_set(err, -EINVAL, "bad image path '%s'", e->path);
		lent_free(e);
		return r;
	}
	const struct lent *old = layer_find(l, e->path);
	if (old) {
		int r = 0;
		if (!same(old, e))
			r = perr_set(err, -EEXIST, "%s: %s from %s conflicts with %s from %s", e->path,
				     type_name(e->type), e->origin ? e->origin : "?", type_name(old->type),
				     old->origin ? old->origin : "?");
		lent_free(e);
		return r;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 256;
		struct lent *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv) {
			lent_free(e);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *e;
	if (2 * l->n >= l->icap) {
		if (reindex(l) < 0)
			return perr_set(err, -ENOMEM, "out of memory");
	} else {
		size_t h = hash(e->path) & (l->icap - 1);
		while (l->index[h])
			h = (h + 1) & (l->icap - 1);
		l->index[h] = l->n;
	}
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int layer_add_dir(struct layer *l, const char *path, mode_t perm, unsigned uid, unsigned gid,
		  struct perr *err)
{
	struct lent e = { .path = strdup(path), .type = LENT_DIR, .perm = perm & 07777, .uid = uid, .gid = gid };
	return add(l, &e, err);
}

int layer_add_file(struct layer *l, const char *path, const char *src, mode_t perm, unsigned uid,
		   unsigned gid, const char *origin, struct perr *err)
{
	struct lent e = { .path = strdup(path), .type = LENT_FILE, .perm = perm & 07777, .uid = uid,
			  .gid = gid, .src = strdup(src), .origin = dup_or_null(origin) };
	if (!e.src) {
		lent_free(&e);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	return add(l, &e, err);
}

int layer_add_blob(struct layer *l, const char *path, const void *data, size_t len, mode_t perm,
		   unsigned uid, unsigned gid, const char *origin, struct perr *err)
{
	struct lent e = { .path = strdup(path), .type = LENT_BLOB, .perm = perm & 07777, .uid = uid,
			  .gid = gid, .data = malloc(len ? len : 1), .len = len,
			  .origin = dup_or_null(origin) };
	if (!e.data) {
		lent_free(&e);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	memcpy(e.data, data, len);
	return add(l, &e, err);
}

int layer_add_link(struct layer *l, const char *path, const char *target, const char *origin,
		   struct perr *err)
{
	struct lent e = { .path = strdup(path), .type = LENT_LINK, .perm = 0777,
			  .target = strdup(target), .origin = dup_or_null(origin) };
	if (!e.target) {
		lent_free(&e);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	return add(l, &e, err);
}

int layer_add_chr(struct layer *l, const char *path, mode_t perm, unsigned major, unsigned minor,
		  struct perr *err)
{
	struct lent e = { .path = strdup(path), .type = LENT_CHR, .perm = perm & 07777, .major = major,
			  .minor = minor };
	return add(l, &e, err);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct lent *)a)->path, ((const struct lent *)b)->path);
}

int layer_sort(struct layer *l, struct perr *err)
{
	for (size_t i = 0; i < l->n; i++) {
		char *p = strdup(l->v[i].path);
		if (!p)
			return perr_set(err, -ENOMEM, "out of memory");
		for (char *s = strrchr(p, '/'); s && s != p; s = strrchr(p, '/')) {
			*s = 0;
			const struct lent *d = layer_find(l, p);
			if (d) {
				if (d->type != LENT_DIR) {
					int r = perr_set(err, -ENOTDIR, "%s: parent %s is a %s", l->v[i].path, p,
							 type_name(d->type));
					free(p);
					return r;
				}
				break;
			}
			/* adding may move l->v; i stays valid as an index */
			int r = layer_add_dir(l, p, 0755, 0, 0, err);
			if (r < 0) {
				free(p);
				return r;
			}
		}
		free(p);
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp);
	return reindex(l) < 0 ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

void layer_free(struct layer *l)
{
	for (size_t i = 0; i < l->n; i++)
		lent_free(&l->v[i]);
	free(l->v);
	free(l->index);
	memset(l, 0, sizeof(*l));
}
