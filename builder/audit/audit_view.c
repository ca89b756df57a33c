/* audit_view: layers read into memory, and a node's view over them. */
#include "audit/audit_view.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_read.h"

#define KEEP_MAX (64u << 20)    /* no file the checks read is near this */
#define TAR_MAX (2048u << 20)
#define LINK_MAX 4096

struct reader {
	struct audit_layer *l;
	struct keyscan *ks;
	size_t cur;             /* the entry whose data comes */
	bool keep, tar;
	char *buf;
	size_t len, cap;
};

static bool keep_path(const char *p)
{
	return !strncmp(p, "/etc/", 5) || !strcmp(p, "/init");
}

static bool tar_in(const char *p, const char *dir)
{
	size_t n = strlen(p), d = strlen(dir);
	return n > d + 4 && !strncmp(p, dir, d) && !strcmp(p + n - 4, ".tar");
}

/* the os-services' images and the provisioner's (etcd) */
static bool tar_path(const char *p)
{
	return tar_in(p, AUDIT_IMAGES_DIR) || tar_in(p, AUDIT_ROLE_IMAGES_DIR);
}

static int on_entry(void *ctx, const struct newc_entry *e, struct perr *err)
{
	struct reader *r = ctx;
	struct audit_layer *l = r->l;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct audit_file *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return perr_set(err, -ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	struct audit_file *f = &l->v[l->n];
	*f = (struct audit_file){ .path = strdup(e->path), .mode = e->mode, .uid = e->uid, .gid = e->gid,
				  .size = e->size, .seq = l->n, .ino = e->ino, .devmajor = e->devmajor,
				  .devminor = e->devminor, .archive = e->archive, .nlink = e->nlink };
	if (!f->path)
		return perr_set(err, -ENOMEM, "out of memory");
	r->cur = l->n++;
	r->len = 0;
	if (S_ISREG(e->mode)) {
		r->keep = keep_path(e->path) && e->size <= KEEP_MAX;
		r->tar = tar_path(e->path) && e->size <= TAR_MAX;
		keyscan_begin(r->ks, f->path, &l->keys);
		return 1;
	}
	r->keep = S_ISLNK(e->mode) && e->size <= LINK_MAX;
	r->tar = false;
	return r->keep ? 1 : 0;
}

static int on_data(void *ctx, const void *buf, size_t len, struct perr *err)
{
	struct reader *r = ctx;
	struct audit_file *f = &r->l->v[r->cur];
	if (buf) {
		if (S_ISREG(f->mode))
			keyscan_feed(r->ks, buf, len);
		if (!r->keep && !r->tar)
			return 0;
		if (r->len + len + 1 > r->cap) {
			size_t cap = r->cap ? r->cap : 4096;
			while (cap < r->len + len + 1)
				cap *= 2;
			char *b = realloc(r->buf, cap);
			if (!b)
				return perr_set(err, -ENOMEM, "out of memory");
			r->buf = b;
			r->cap = cap;
		}
		memcpy(r->buf + r->len, buf, len);
		r->len += len;
		return 0;
	}
	if (S_ISREG(f->mode))
		keyscan_end(r->ks);
	if (r->tar) {
		/* a tarball that cannot be read bundles nothing: its images then
		 * count as pulled, which fails closed */
		struct perr e2 = PERR_INIT;
		struct audit_image *imgs = NULL;
		size_t n = 0;
		if (audit_read_images(r->buf, r->len, &imgs, &n, &e2) >= 0) {
			struct audit_layer *l = r->l;
			struct audit_image *v = realloc(l->images, (l->nimages + n) * sizeof(*v));
			if (!v) {
				audit_images_free(imgs, n);
				return perr_set(err, -ENOMEM, "out of memory");
			}
			memcpy(v + l->nimages, imgs, n * sizeof(*v));
			l->images = v;
			l->nimages += n;
			free(imgs);
		}
		perr_clear(&e2);
	} else if (r->keep) {
		char *copy = malloc(r->len + 1);
		if (!copy)
			return perr_set(err, -ENOMEM, "out of memory");
		if (r->len)
			memcpy(copy, r->buf, r->len);
		copy[r->len] = '\0';
		if (S_ISLNK(f->mode))
			f->target = copy;
		else
			f->data = copy;
	}
	return 0;
}

static void file_free(struct audit_file *f)
{
	free(f->path);
	free(f->data);
	free(f->target);
}

static bool same_inode(const struct audit_file *a, const struct audit_file *b)
{
	return a->archive == b->archive && a->ino == b->ino && a->devmajor == b->devmajor &&
	       a->devminor == b->devminor;
}

/* newc stores hard links' data once (GNU cpio: with the last link); the
 * kernel links the names, so every name has that data. */
static int share_links(struct audit_layer *l, struct perr *err)
{
	for (size_t i = 0; i < l->n; i++) {
		struct audit_file *f = &l->v[i];
		if (!S_ISREG(f->mode) || f->nlink < 2 || f->size == 0)
			continue;
		for (size_t k = 0; k < l->n; k++) {
			struct audit_file *g = &l->v[k];
			if (k == i || !S_ISREG(g->mode) || g->size != 0 || !same_inode(f, g))
				continue;
			g->size = f->size;
			free(g->data);
			g->data = NULL;
			if (f->data) {
				/* kept data is the whole file, NUL-terminated */
				if (!(g->data = malloc((size_t)f->size + 1)))
					return perr_set(err, -ENOMEM, "out of memory");
				memcpy(g->data, f->data, (size_t)f->size + 1);
			}
		}
	}
	return 0;
}

static int by_path_seq(const void *a, const void *b)
{
	const struct audit_file *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts by path and keeps, of each path, the entry read last. */
static void seal(struct audit_layer *l)
{
	qsort(l->v, l->n, sizeof(*l->v), by_path_seq);
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (i + 1 < l->n && !strcmp(l->v[i].path, l->v[i + 1].path)) {
			file_free(&l->v[i]);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
}

int audit_layer_read(const char *file, const char *name, struct audit_layer **ret, struct perr *err)
{
	struct audit_layer *l = calloc(1, sizeof(*l));
	struct reader r = { .l = l, .ks = keyscan_new() };
	int rc;
	if (!l || !r.ks || !(l->name = strdup(name))) {
		rc = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	struct newc_sink sink = { on_entry, on_data, &r };
	rc = audit_read_layer(file, &sink, err);
	if (rc >= 0)
		rc = share_links(l, err);
	if (rc >= 0 && l->keys.oom)
		rc = perr_set(err, -ENOMEM, "out of memory");
	if (rc >= 0)
		seal(l);
out:
	keyscan_free(r.ks);
	free(r.buf);
	if (rc < 0) {
		audit_layer_free(l);
		return rc;
	}
	*ret = l;
	return 0;
}

void audit_layer_free(struct audit_layer *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		file_free(&l->v[i]);
	free(l->v);
	free(l->name);
	key_hits_clear(&l->keys);
	audit_images_free(l->images, l->nimages);
	free(l);
}

const struct audit_file *audit_layer_get(const struct audit_layer *l, const char *path)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, l->v[mid].path);
		if (c == 0)
			return &l->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct audit_file *audit_view_get(const struct audit_view *v, const char *path)
{
	for (size_t i = v->nlayers; i-- > 0;) {
		const struct audit_file *f = audit_layer_get(v->layers[i], path);
		if (f)
			return f;
	}
	return NULL;
}

const char *audit_view_text(const struct audit_view *v, const char *path)
{
	const struct audit_file *f = audit_view_get(v, path);
	return f && S_ISREG(f->mode) ? f->data : NULL;
}

void audit_view_each(const struct audit_view *v, bool (*fn)(void *ctx, const struct audit_file *f), void *ctx)
{
	for (size_t i = 0; i < v->nlayers; i++) {
		const struct audit_layer *l = v->layers[i];
		for (size_t k = 0; k < l->n; k++) {
			bool hidden = false;
			for (size_t j = i + 1; j < v->nlayers && !hidden; j++)
				hidden = audit_layer_get(v->layers[j], l->v[k].path) != NULL;
			if (!hidden && !fn(ctx, &l->v[k]))
				return;
		}
	}
}

struct glob_ctx {
	const char *pattern;
	struct strv out;
};

static bool glob_one(void *ctx, const struct audit_file *f)
{
	struct glob_ctx *g = ctx;
	if (!fnmatch(g->pattern, f->path, FNM_PATHNAME))
		strv_add(&g->out, f->path);
	return true;
}

char **audit_view_glob(const struct audit_view *v, const char *pattern)
{
	struct glob_ctx g = { pattern, STRV_INIT };
	audit_view_each(v, glob_one, &g);
	strv_sort(&g.out);
	return strv_steal(&g.out);
}

void audit_view_init(struct audit_view *v, const char *node, struct audit_layer *const *layers, size_t n)
{
	*v = (struct audit_view){ .node = node, .layers = layers, .nlayers = n };
	const char *conf = audit_view_text(v, NODECFG_PATH);
	struct perr err = PERR_INIT;
	if (!conf) {
		v->cfg_error = strdup("missing: no " NODECFG_PATH " in the node's layers");
	} else if (nodecfg_parse(NODECFG_PATH, conf, strlen(conf), &v->cfg, &err) < 0) {
		v->cfg_error = perr_format(&err);
		nodecfg_free(&v->cfg);
		v->cfg = (struct nodecfg){ 0 };
	}
	perr_clear(&err);
}

void audit_view_free(struct audit_view *v)
{
	nodecfg_free(&v->cfg);
	free(v->cfg_error);
	v->cfg_error = NULL;
}

bool audit_view_has_role(const struct audit_view *v, const char *role)
{
	size_t pos = 0;
	for (const char *r; (r = nodecfg_next(&v->cfg, "node.role", &pos));)
		if (!strcmp(r, role))
			return true;
	return false;
}

bool audit_view_bundles(const struct audit_view *v, const char *image)
{
	for (size_t i = 0; i < v->nlayers; i++)
		for (size_t k = 0; k < v->layers[i]->nimages; k++)
			if (!strcmp(v->layers[i]->images[k].tag, image))
				return true;
	return false;
}
