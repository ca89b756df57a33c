/* base: the shared base layer, built from configs/base.list and cached. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/base.h"
#include "components/component.h"
#include "components/digest.h"
#include "image/elfinfo.h"
#include "fsutil.h"
#include "image/kmod.h"
#include "image/layer.h"
#include "components/listfile.h"
#include "image/sysimages.h"
#include "cli/version.h"

#define BASE_LIST "configs/base.list"

/* The trees every path of the image is looked up in. */
struct ctx {
	const struct base_opts *o;
	const struct lock *lock;
	struct listfile list;
	struct elf_root root;          /* library components, lock order */
	char **tree_of;                /* per lock entry, NULL until unpacked */
	struct layer layer;
	const struct component *kernel;
	char *kernel_release;
	size_t nmodules;
	const char *origin;            /* for closure entries */
};

static int tree(struct ctx *c, const struct component *comp, const char **ret, struct perr *err);

struct base_trees {
	struct ctx *c;
};

const char *base_tree(const struct base_trees *t, const char *component, struct perr *err)
{
	const struct component *comp = lock_find(t->c->lock, component);
	const char *dir = NULL;
	if (!comp) {
		perr_set(err, -ENOENT, "component %s is not in %s", component, t->c->lock->path);
		return NULL;
	}
	return tree(t->c, comp, &dir, err) < 0 ? NULL : dir;
}

static int is_kernel(const struct ctx *c, const char *name)
{
	for (size_t i = 0; i < c->list.n; i++) {
		const struct listline *ln = &c->list.lines[i];
		if (!strcmp(ln->tok[0], "kernel") && ln->ntok == 3 && !strcmp(ln->tok[2], name))
			return 1;
	}
	return 0;
}

static int tree(struct ctx *c, const struct component *comp, const char **ret, struct perr *err)
{
	size_t i = (size_t)(comp - c->lock->v);
	if (!c->tree_of[i]) {
		int fresh = 0;
		double t0 = progress_now();
		int r = component_tree(comp, c->o->cache, &c->tree_of[i], &fresh, err);
		if (r < 0)
			return r;
		if (fresh)
			progress_say(c->o->progress, "unpack   %s %s (%.1f s)", comp->name,
				     comp->version ? comp->version : "", progress_now() - t0);
	}
	*ret = c->tree_of[i];
	return 0;
}

static int need(void *ctxp, const char *path, const char *dir, const char *component, struct perr *err)
{
	struct ctx *c = ctxp;
	const struct lent *old = layer_find(&c->layer, path);
	if (old)
		return 1;
	char *h = path_join(dir, path);
	struct stat st;
	int r;
	if (!h)
		return perr_set(err, -ENOMEM, "out of memory");
	if (lstat(h, &st) < 0) {
		r = perr_set(err, -errno, "%s: %s", h, strerror(errno));
	} else if (S_ISLNK(st.st_mode)) {
		char *t = malloc((size_t)st.st_size + 1);
		ssize_t n = t ? readlink(h, t, (size_t)st.st_size + 1) : -1;
		if (n < 0 || n > st.st_size) {
			r = perr_set(err, -EIO, "%s: cannot read symlink", h);
		} else {
			t[n] = 0;
			r = layer_add_link(&c->layer, path, t, component, err);
		}
		free(t);
	} else if (S_ISREG(st.st_mode)) {
		r = layer_add_file(&c->layer, path, h, st.st_mode & 07777, 0, 0, component, err);
	} else {
		r = perr_set(err, -EINVAL, "%s: not a file or symlink", path);
	}
	free(h);
	return r;
}

static int parse_mode(const char *s, mode_t *m)
{
	char *end;
	unsigned long v = strtoul(s, &end, 8);
	if (!*s || *end || v > 07777)
		return -1;
	*m = (mode_t)v;
	return 0;
}

static int parse_id(const char *s, unsigned *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);
	if (!*s || *end || x > 0xfffffffful)
		return -1;
	*v = (unsigned)x;
	return 0;
}

static const struct component *comp_named(struct ctx *c, const struct listline *ln, const char *name,
					  struct perr *err)
{
	const struct component *comp = lock_find(c->lock, name);
	if (!comp)
		perr_setat(err, -ENOENT, c->list.path, ln->lineno, 1,
			   "component %s is not in %s", name, c->lock->path);
	return comp;
}

/* A regular ELF file in the image brings its interpreter and libraries. */
static int close_over(struct ctx *c, const char *path, const char *dir, struct perr *err)
{
	return elf_closure(&c->root, path, dir, need, c, err);
}

/* Adds the file src of tree dir as dest (following symlinks in the tree). */
static int add_file_from(struct ctx *c, const char *pkg, const char *dir, const char *src,
			 const char *dest, const char *mode, struct perr *err)
{
	struct elf_root one = { (char **)&dir, (char **)&pkg, 1 };
	char *final = NULL, *fdir = NULL, *h = NULL;
	struct stat st;
	mode_t m;
	int r = elf_root_resolve(&one, src, NULL, NULL, &final, &fdir, err);
	if (r < 0)
		return perr_wrap(err, "component %s", pkg);
	if (!(h = path_join(dir, final))) {
		free(final);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	if (stat(h, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = perr_set(err, -EINVAL, "%s: %s is not a regular file", pkg, final);
		goto out;
	}
	m = st.st_mode & 07777;
	if (mode && parse_mode(mode, &m) < 0) {
		r = perr_set(err, -EINVAL, "bad mode '%s'", mode);
		goto out;
	}
	if ((r = layer_add_file(&c->layer, dest, h, m, 0, 0, pkg, err)) < 0)
		goto out;
	r = close_over(c, final, dir, err);
out:
	free(h);
	free(final);
	return r;
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists names in tree-dir `dir` matching pattern, sorted. */
static int glob_dir(const char *tree, const char *dir, const char *pattern, char ***ret, size_t *ret_n,
		    struct perr *err)
{
	char *h = path_join(tree, dir);
	DIR *d = h ? opendir(h) : NULL;
	char **v = NULL;
	size_t n = 0;
	if (!d) {
		int r = h ? perr_set(err, -errno, "%s: %s", dir, strerror(errno))
			  : perr_set(err, -ENOMEM, "out of memory");
		free(h);
		return r;
	}
	free(h);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || fnmatch(pattern, e->d_name, 0))
			continue;
		char **nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strdup(e->d_name))) {
			v = nv ? nv : v;
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			closedir(d);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		v = nv;
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int do_file(struct ctx *c, const struct listline *ln, struct perr *err)
{
	if (ln->ntok < 3 || ln->ntok > 5)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
				  "file: expected PACKAGE SRC [DEST] [MODE]");
	const struct component *comp = comp_named(c, ln, ln->tok[1], err);
	const char *dir;
	if (!comp)
		return -ENOENT;
	int r = tree(c, comp, &dir, err);
	if (r < 0)
		return r;
	const char *src = ln->tok[2], *dest = ln->ntok > 3 ? ln->tok[3] : NULL,
		   *mode = ln->ntok > 4 ? ln->tok[4] : NULL;
	if (!has_glob(src))
		return add_file_from(c, comp->name, dir, src, dest ? dest : src, mode, err);
	char *sdir = strdup(src), **names = NULL;
	size_t n = 0;
	if (!sdir)
		return perr_set(err, -ENOMEM, "out of memory");
	char *slash = strrchr(sdir, '/');
	*slash = 0;
	if (has_glob(sdir)) {
		free(sdir);
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
				  "file: wildcards only in the last part of the path");
	}
	r = glob_dir(dir, sdir, slash + 1, &names, &n, err);
	if (r >= 0 && n == 0)
		r = perr_setat(err, -ENOENT, c->list.path, ln->lineno, 1, "%s: nothing matches %s",
			       comp->name, src);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char *s = NULL, *d = NULL;
		if (asprintf(&s, "%s/%s", sdir, names[i]) < 0 ||
		    asprintf(&d, "%s/%s", dest ? dest : sdir, names[i]) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else
			r = add_file_from(c, comp->name, dir, s, d, mode, err);
		free(s);
		free(d);
	}
	free_strv(names, n);
	free(sdir);
	return r;
}

static int do_concat(struct ctx *c, const struct listline *ln, struct perr *err)
{
	if (ln->ntok != 5)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
				  "concat: expected PACKAGE GLOB DEST MODE");
	const struct component *comp = comp_named(c, ln, ln->tok[1], err);
	const char *dir;
	mode_t m;
	if (!comp)
		return -ENOENT;
	if (parse_mode(ln->tok[4], &m) < 0)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "bad mode '%s'", ln->tok[4]);
	int r = tree(c, comp, &dir, err);
	if (r < 0)
		return r;
	char *sdir = strdup(ln->tok[2]), **names = NULL, *buf = NULL;
	size_t n = 0, len = 0;
	if (!sdir)
		return perr_set(err, -ENOMEM, "out of memory");
	char *slash = strrchr(sdir, '/');
	*slash = 0;
	r = glob_dir(dir, sdir, slash + 1, &names, &n, err);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char *p = NULL, *h = NULL, *data = NULL;
		size_t dl;
		if (asprintf(&p, "%s/%s", sdir, names[i]) < 0 || !(h = path_join(dir, p))) {
			r = perr_set(err, -ENOMEM, "out of memory");
		} else if ((r = read_file(h, 64u << 20, &data, &dl, err)) >= 0) {
			char *nb = realloc(buf, len + dl + 2);
			if (!nb) {
				r = perr_set(err, -ENOMEM, "out of memory");
			} else {
				buf = nb;
				memcpy(buf + len, data, dl);
				len += dl;
				if (dl && data[dl - 1] != '\n')
					buf[len++] = '\n';
			}
		}
		free(data);
		free(p);
		free(h);
	}
	if (r >= 0)
		r = layer_add_blob(&c->layer, ln->tok[3], buf ? buf : "", len, m, 0, 0, comp->name, err);
	free(buf);
	free_strv(names, n);
	free(sdir);
	return r;
}

/* busybox keeps its applet names as one run of NUL-terminated strings in
 * sorted order, starting with "[" and "[[". */
static int busybox_applets(const char *path, char ***ret, size_t *ret_n, struct perr *err)
{
	char *buf;
	size_t len;
	int r = read_file(path, 64u << 20, &buf, &len, err);
	if (r < 0)
		return r;
	static const char start[] = "[\0[[\0";
	char *p = memmem(buf, len, start, sizeof(start) - 1);
	char **v = NULL;
	size_t n = 0;
	if (!p) {
		free(buf);
		return perr_set(err, -EINVAL, "%s: no busybox applet table found", path);
	}
	for (char *end = buf + len; p < end && *p;) {
		size_t l = strnlen(p, (size_t)(end - p));
		int ok = l > 0 && l < 64;
		for (size_t i = 0; ok && i < l; i++)
			ok = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || strchr("[-_.", p[i]);
		if (!ok)
			break;
		char **nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strndup(p, l))) {
			free(nv ? nv : v);
			free(buf);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		v = nv;
		n++;
		p += l + 1;
	}
	free(buf);
	if (n < 20) {
		free_strv(v, n);
		return perr_set(err, -EINVAL, "%s: busybox applet table too short (%zu)", path, n);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int do_applets(struct ctx *c, const struct listline *ln, struct perr *err)
{
	if (ln->ntok != 4)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
				  "applets: expected PACKAGE BUSYBOX DESTDIR");
	const struct component *comp = comp_named(c, ln, ln->tok[1], err);
	const char *dir;
	if (!comp)
		return -ENOENT;
	int r = tree(c, comp, &dir, err);
	if (r < 0)
		return r;
	char *h = path_join(dir, ln->tok[2]), **names = NULL;
	size_t n = 0;
	if (!h)
		return perr_set(err, -ENOMEM, "out of memory");
	r = busybox_applets(h, &names, &n, err);
	free(h);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char *p = NULL;
		if (asprintf(&p, "%s/%s", ln->tok[3], names[i]) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else if (!layer_find(&c->layer, p) && strcmp(p, ln->tok[2]))
			r = layer_add_link(&c->layer, p, ln->tok[2], comp->name, err);
		free(p);
	}
	free_strv(names, n);
	return r;
}

static int do_product(struct ctx *c, const struct listline *ln, struct perr *err)
{
	mode_t m;
	if (ln->ntok != 4 || parse_mode(ln->tok[3], &m) < 0)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
				  "product: expected PATH DEST MODE (octal)");
	char *h = path_join(c->o->root, ln->tok[1]);
	struct stat st;
	int r;
	if (!h)
		return perr_set(err, -ENOMEM, "out of memory");
	if (stat(h, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = perr_setat(err, -ENOENT, c->list.path, ln->lineno, 1,
			       "build product %s is missing (run `make`)", h);
		free(h);
		return r;
	}
	r = layer_add_file(&c->layer, ln->tok[2], h, m, 0, 0, "build", err);
	if (r >= 0) {
		/* the product's libraries come from the components, like any binary */
		struct elf_info e;
		if ((r = elf_read(h, &e, err)) >= 0) {
			if (e.is_elf) {
				char *dirpart = strndup(h, strlen(h) - strlen(ln->tok[1]));
				r = dirpart ? 0 : perr_set(err, -ENOMEM, "out of memory");
				if (r >= 0)
					r = close_over(c, ln->tok[1], dirpart, err);
				free(dirpart);
			}
			elf_info_free(&e);
		}
	}
	free(h);
	return r;
}

static int apply_line(struct ctx *c, const struct listline *ln, struct perr *err);

/* Applies a line of an image's list into that image's layer, with the
 * same engine (components, closures, products) as the base. */
static int apply_into(void *ctxp, const struct listfile *lf, const struct listline *ln, struct layer *into,
		      struct perr *err)
{
	struct ctx *c = ctxp;
	struct layer saved = c->layer;
	struct listfile saved_list = c->list;
	int r;
	if (!strcmp(ln->tok[0], "images") || !strcmp(ln->tok[0], "kernel") || !strcmp(ln->tok[0], "modules"))
		return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1, "%s: not allowed in an image", ln->tok[0]);
	c->layer = *into;
	c->list = *lf;
	r = apply_line(c, ln, err);
	*into = c->layer;
	c->layer = saved;
	c->list = saved_list;
	return r;
}

/* images DIR DEST: the os-services' images, one docker-save bundle at DEST. */
static int do_images(struct ctx *c, const struct listline *ln, struct perr *err)
{
	struct listfile *v = NULL;
	size_t n = 0, len = 0;
	char *dir, *buf = NULL;
	int r;
	if (ln->ntok != 3)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "images: expected DIR DEST");
	if (!(dir = path_join(c->o->root, ln->tok[1])))
		return perr_set(err, -ENOMEM, "out of memory");
	r = sysimages_load(dir, &v, &n, err);
	free(dir);
	if (r < 0)
		return r;
	double t0 = progress_now();
	r = sysimages_bundle(v, n, apply_into, c, c->o->mtime, &buf, &len, err);
	if (r >= 0) {
		char b[16];
		progress_say(c->o->progress, "images: %zu os-service images, %s bundle (%.1f s)", n,
			     progress_size(len, b), progress_now() - t0);
		r = layer_add_blob(&c->layer, ln->tok[2], buf, len, 0644, 0, 0, "os-services", err);
	}
	free(buf);
	sysimages_free(v, n);
	return r;
}

static int apply_line(struct ctx *c, const struct listline *ln, struct perr *err)
{
	const char *k = ln->tok[0];
	mode_t m;
	unsigned uid = 0, gid = 0, maj, min;
	if (!strcmp(k, "kernel") || !strcmp(k, "modules"))
		return 0; /* handled first */
	if (!strcmp(k, "dir")) {
		if ((ln->ntok != 3 && ln->ntok != 5) || parse_mode(ln->tok[2], &m) < 0 ||
		    (ln->ntok == 5 && (parse_id(ln->tok[3], &uid) < 0 || parse_id(ln->tok[4], &gid) < 0)))
			return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
					  "dir: expected PATH MODE [UID GID]");
		return layer_add_dir(&c->layer, ln->tok[1], m, uid, gid, err);
	}
	if (!strcmp(k, "link")) {
		if (ln->ntok != 3)
			return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "link: expected PATH TARGET");
		return layer_add_link(&c->layer, ln->tok[1], ln->tok[2], "base.list", err);
	}
	if (!strcmp(k, "chr")) {
		if (ln->ntok != 5 || parse_id(ln->tok[2], &maj) < 0 || parse_id(ln->tok[3], &min) < 0 ||
		    parse_mode(ln->tok[4], &m) < 0)
			return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
					  "chr: expected PATH MAJOR MINOR MODE");
		return layer_add_chr(&c->layer, ln->tok[1], m, maj, min, err);
	}
	if (!strcmp(k, "file"))
		return do_file(c, ln, err);
	if (!strcmp(k, "concat"))
		return do_concat(c, ln, err);
	if (!strcmp(k, "applets"))
		return do_applets(c, ln, err);
	if (!strcmp(k, "product"))
		return do_product(c, ln, err);
	if (!strcmp(k, "images"))
		return do_images(c, ln, err);
	return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "unknown directive '%s'", k);
}

/* Everything the base depends on, hashed: the cache key. */
static int compute_key(struct ctx *c, char **ret, struct perr *err)
{
	struct digest *d = digest_new();
	char hex[DIGEST_HEX_LEN + 1];
	char *hdr = NULL;
	if (!d)
		return perr_set(err, -ENOMEM, "out of memory");
	if (asprintf(&hdr, "paddock-base 1\n%s\n%s\n%s\n%lld\n", PADDOCK_VERSION, c->o->flavour,
		     compression_name(c->o->compression), c->o->mtime) < 0) {
		digest_abort(d);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	digest_update(d, hdr, strlen(hdr));
	free(hdr);
	/* the builder itself: a changed archive writer must not reuse old bases */
	if (digest_file("/proc/self/exe", hex, err) < 0) {
		digest_abort(d);
		return perr_wrap(err, "hashing the builder");
	}
	digest_update(d, hex, sizeof(hex));
	digest_update(d, c->list.text, c->list.textlen + 1);
	for (size_t i = 0; i < c->lock->n; i++) {
		digest_update(d, c->lock->v[i].name, strlen(c->lock->v[i].name) + 1);
		digest_update(d, c->lock->v[i].sha256, DIGEST_HEX_LEN + 1);
	}
	for (size_t i = 0; i < c->list.n; i++) {
		const struct listline *ln = &c->list.lines[i];
		if (strcmp(ln->tok[0], "images") || ln->ntok != 3)
			continue;
		/* the image lists and the build products they take */
		struct listfile *v = NULL;
		size_t n = 0;
		char *dir = path_join(c->o->root, ln->tok[1]);
		int r = dir ? sysimages_load(dir, &v, &n, err) : perr_set(err, -ENOMEM, "out of memory");
		free(dir);
		for (size_t k = 0; r >= 0 && k < n; k++) {
			digest_update(d, v[k].text, v[k].textlen + 1);
			for (size_t j = 0; r >= 0 && j < v[k].n; j++) {
				const struct listline *pl = &v[k].lines[j];
				if (strcmp(pl->tok[0], "product") || pl->ntok < 2)
					continue;
				char *h = path_join(c->o->root, pl->tok[1]);
				r = h ? digest_file(h, hex, err) : perr_set(err, -ENOMEM, "out of memory");
				free(h);
				if (r == -ENOENT)
					r = perr_setat(err, r, v[k].path, pl->lineno, 1, "%s is missing (run `make`)",
						       pl->tok[1]);
				if (r >= 0)
					digest_update(d, hex, sizeof(hex));
			}
		}
		sysimages_free(v, n);
		if (r < 0) {
			digest_abort(d);
			return r;
		}
	}
	for (size_t i = 0; i < c->list.n; i++) {
		const struct listline *ln = &c->list.lines[i];
		const char *f = NULL;
		if (!strcmp(ln->tok[0], "product") && ln->ntok >= 2)
			f = ln->tok[1];
		else if (!strcmp(ln->tok[0], "modules") && ln->ntok == 2)
			f = ln->tok[1];
		if (!f)
			continue;
		char *h = path_join(c->o->root, f);
		int r = h ? digest_file(h, hex, err) : perr_set(err, -ENOMEM, "out of memory");
		free(h);
		if (r < 0) {
			digest_abort(d);
			if (r == -ENOENT)
				return perr_setat(err, r, c->list.path, ln->lineno, 1,
						  "%s is missing (run `make`)", f);
			return r;
		}
		digest_update(d, f, strlen(f) + 1);
		digest_update(d, hex, sizeof(hex));
	}
	for (size_t i = 0; i < c->o->nparts; i++) {
		const struct base_part *p = &c->o->parts[i];
		digest_update(d, p->name, strlen(p->name) + 1);
		if (p->key && p->key(p->ctx, d, err) < 0) {
			digest_abort(d);
			return perr_wrap(err, "%s", p->name);
		}
	}
	digest_final(d, hex);
	if (!(*ret = strndup(hex, 24)))
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

static void ctx_free(struct ctx *c)
{
	listfile_free(&c->list);
	for (size_t i = 0; c->tree_of && i < c->lock->n; i++)
		free(c->tree_of[i]);
	free(c->tree_of);
	free(c->root.dirs);
	free(c->root.names);
	layer_free(&c->layer);
	free(c->kernel_release);
}

static int ctx_init(struct ctx *c, const struct base_opts *o, const struct lock *lock, struct perr *err)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->lock = lock;
	char *p = path_join(o->root, BASE_LIST);
	int r = p ? listfile_load(p, &c->list, err) : perr_set(err, -ENOMEM, "out of memory");
	free(p);
	if (r < 0)
		return r;
	if (!(c->tree_of = calloc(lock->n ? lock->n : 1, sizeof(*c->tree_of))))
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < c->list.n; i++) {
		const struct listline *ln = &c->list.lines[i];
		if (strcmp(ln->tok[0], "kernel"))
			continue;
		if (ln->ntok != 3)
			return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
					  "kernel: expected FLAVOUR PACKAGE");
		if (!strcmp(ln->tok[1], o->flavour) && !(c->kernel = comp_named(c, ln, ln->tok[2], err)))
			return -ENOENT;
	}
	if (!c->kernel)
		return perr_setat(err, -EINVAL, c->list.path, 0, 0, "no kernel for flavour '%s'", o->flavour);
	return 0;
}

/* Unpacks the library components and builds the layer in c->layer. */
static int assemble(struct ctx *c, struct perr *err)
{
	int r;
	const char *dir;
	if (!(c->root.dirs = calloc(c->lock->n + 1, sizeof(char *))) ||
	    !(c->root.names = calloc(c->lock->n + 1, sizeof(char *))))
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < c->lock->n; i++) {
		const struct component *comp = &c->lock->v[i];
		if (is_kernel(c, comp->name))
			continue;
		if ((r = tree(c, comp, &dir, err)) < 0)
			return r;
		c->root.dirs[c->root.n] = (char *)dir;
		c->root.names[c->root.n++] = comp->name;
	}
	if ((r = tree(c, c->kernel, &dir, err)) < 0)
		return r;
	for (size_t i = 0; i < c->list.n; i++) {
		const struct listline *ln = &c->list.lines[i];
		if (strcmp(ln->tok[0], "modules"))
			continue;
		struct listfile ml;
		char *p = ln->ntok == 2 ? path_join(c->o->root, ln->tok[1]) : NULL;
		if (ln->ntok != 2)
			return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "modules: expected LISTFILE");
		r = p ? listfile_load(p, &ml, err) : perr_set(err, -ENOMEM, "out of memory");
		free(p);
		if (r < 0)
			return r;
		free(c->kernel_release);
		c->kernel_release = NULL;
		r = kmod_select(dir, c->kernel->name, &ml, c->o->flavour, &c->layer, &c->kernel_release,
				&c->nmodules, err);
		listfile_free(&ml);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < c->list.n; i++)
		if ((r = apply_line(c, &c->list.lines[i], err)) < 0)
			return r;
	struct base_trees bt = { c };
	for (size_t i = 0; i < c->o->nparts; i++) {
		const struct base_part *p = &c->o->parts[i];
		if (p->add && (r = p->add(p->ctx, &bt, &c->layer, err)) < 0)
			return perr_wrap(err, "%s", p->name);
	}
	return layer_sort(&c->layer, err);
}

/* The kernel image of the flavour's package: its only /boot/vmlinuz-*. */
static int kernel_image(struct ctx *c, char **ret, struct perr *err)
{
	const char *dir;
	char **names = NULL;
	size_t n = 0;
	int r = tree(c, c->kernel, &dir, err);
	if (r >= 0)
		r = glob_dir(dir, "/boot", "vmlinuz-*", &names, &n, err);
	if (r < 0)
		return perr_wrap(err, "%s", c->kernel->name);
	if (n != 1) {
		free_strv(names, n);
		return perr_set(err, -EINVAL, "%s: expected one /boot/vmlinuz-*, found %zu", c->kernel->name, n);
	}
	r = asprintf(ret, "%s/boot/%s", dir, names[0]) < 0 ? perr_set(err, -ENOMEM, "out of memory") : 0;
	free_strv(names, n);
	return r;
}

static int info_add(struct nodecfg *info, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int info_add(struct nodecfg *info, const char *k, const char *fmt, ...)
{
	char *v = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	n = nodecfg_add(info, k, v);
	free(v);
	return n;
}

static int build_into(struct ctx *c, const char *tmp, struct perr *err)
{
	char *img = path_join(tmp, "base.img"), *vm = path_join(tmp, "vmlinuz"), *vsrc = NULL;
	char *infop = path_join(tmp, "info"), vsha[DIGEST_HEX_LEN + 1];
	struct nodecfg info = { 0 };
	struct cpio_stats st;
	char b1[16], b2[16];
	int r;
	double t0 = progress_now();
	if (!img || !vm || !infop) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = assemble(c, err)) < 0)
		goto out;
	double t1 = progress_now();
	progress_say(c->o->progress, "assemble base: %zu entries, %zu kernel modules (%.1f s)", c->layer.n,
		     c->nmodules, t1 - t0);
	if ((r = cpio_write(&c->layer, img, c->o->compression, c->o->mtime, 2, &st, err)) < 0)
		goto out;
	double t2 = progress_now();
	progress_say(c->o->progress, "archive base: %s newc -> %s %s (%.1f s)", progress_size(st.raw, b1),
		     progress_size(st.written, b2), compression_name(c->o->compression), t2 - t1);
	if ((r = kernel_image(c, &vsrc, err)) < 0 || (r = copy_file(vsrc, vm, 0644, err)) < 0 ||
	    (r = digest_file(vm, vsha, err)) < 0)
		goto out;
	if (info_add(&info, "kernel.flavour", "%s", c->o->flavour) < 0 ||
	    info_add(&info, "kernel.package", "%s", c->kernel->name) < 0 ||
	    info_add(&info, "kernel.version", "%s", c->kernel->version ? c->kernel->version : "") < 0 ||
	    info_add(&info, "kernel.release", "%s", c->kernel_release ? c->kernel_release : "") < 0 ||
	    info_add(&info, "vmlinuz.sha256", "%s", vsha) < 0 ||
	    info_add(&info, "vmlinuz.size", "%lld", file_size(vm)) < 0 ||
	    info_add(&info, "base.sha256", "%s", st.sha256) < 0 ||
	    info_add(&info, "base.size", "%llu", (unsigned long long)st.written) < 0 ||
	    info_add(&info, "base.raw_size", "%llu", (unsigned long long)st.raw) < 0 ||
	    info_add(&info, "base.entries", "%zu", c->layer.n) < 0 ||
	    info_add(&info, "base.modules", "%zu", c->nmodules) < 0 ||
	    info_add(&info, "base.compression", "%s", compression_name(c->o->compression)) < 0 ||
	    info_add(&info, "base.archive_seconds", "%.3f", t2 - t1) < 0) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	size_t len;
	char *s = nodecfg_serialize(&info, &len);
	r = s ? write_file(infop, s, len, 0644, err) : perr_set(err, -ENOMEM, "out of memory");
	free(s);
out:
	nodecfg_free(&info);
	free(img);
	free(vm);
	free(vsrc);
	free(infop);
	return r;
}

int base_get(const struct base_opts *o, const struct lock *lock, struct base_result *out,
	     struct perr *err)
{
	struct ctx c;
	struct base_result b = { 0 };
	char *bases = NULL, *tmp = NULL, *infop = NULL;
	int r = ctx_init(&c, o, lock, err);
	if (r < 0)
		goto out;
	if ((r = compute_key(&c, &b.key, err)) < 0)
		goto out;
	if (!(bases = path_join(o->cache, "base")) || !(b.dir = path_join(bases, b.key)) ||
	    !(b.img = path_join(b.dir, "base.img")) || !(b.vmlinuz = path_join(b.dir, "vmlinuz")) ||
	    !(infop = path_join(b.dir, "info"))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (access(infop, F_OK) == 0) {
		b.cached = 1;
	} else {
		if ((r = mkdir_p(bases, 0755, err)) < 0)
			goto out;
		sweep_stale(bases, "base");
		if ((r = mkdtemp_pid(bases, "base", &tmp, err)) < 0)
			goto out;
		if ((r = build_into(&c, tmp, err)) < 0)
			goto out;
		if ((r = publish_dir(tmp, b.dir, err)) < 0)
			goto out;
	}
	if ((r = nodecfg_load(infop, &b.info, err)) < 0)
		goto out;
	*out = b;
	memset(&b, 0, sizeof(b));
out:
	if (tmp)
		rm_rf_quiet(tmp);
	free(tmp);
	free(bases);
	free(infop);
	base_result_free(&b);
	ctx_free(&c);
	return r;
}

int base_write_raw(const struct base_opts *o, const struct lock *lock, const char *path,
		   struct perr *err)
{
	struct ctx c;
	int r = ctx_init(&c, o, lock, err);
	if (r >= 0)
		r = assemble(&c, err);
	if (r >= 0)
		r = cpio_write(&c.layer, path, COMPRESS_NONE, o->mtime, 0, NULL, err);
	ctx_free(&c);
	return r;
}

void base_result_free(struct base_result *b)
{
	free(b->key);
	free(b->dir);
	free(b->img);
	free(b->vmlinuz);
	nodecfg_free(&b->info);
	memset(b, 0, sizeof(*b));
}
