/* base_list: the directives of configs/base.list, applied into a layer. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/base_list.h"
#include "components/component.h"
#include "fsutil.h"
#include "image/busybox.h"
#include "image/kmod.h"
#include "image/sysimages.h"
#include "strbuf.h"
#include "strv.h"

static int is_kernel(const struct base_list *c, const char *name)
{
	for (size_t i = 0; i < c->list.n; i++) {
		const struct listline *ln = &c->list.lines[i];
		if (!strcmp(ln->tok[0], "kernel") && ln->ntok == 3 && !strcmp(ln->tok[2], name))
			return 1;
	}
	return 0;
}

int base_list_tree(struct base_list *c, const struct component *comp, const char **ret, struct perr *err)
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
	struct base_list *c = ctxp;
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

static const struct component *comp_named(struct base_list *c, const struct listline *ln, const char *name,
					  struct perr *err)
{
	const struct component *comp = lock_find(c->lock, name);
	if (!comp)
		perr_setat(err, -ENOENT, c->list.path, ln->lineno, 1,
			   "component %s is not in %s", name, c->lock->path);
	return comp;
}

/* A regular ELF file in the image brings its interpreter and libraries. */
static int close_over(struct base_list *c, const char *path, const char *dir, struct perr *err)
{
	return elf_closure(&c->root, path, dir, need, c, err);
}

/* Adds the file src of tree dir as dest (following symlinks in the tree). */
static int add_file_from(struct base_list *c, const char *pkg, const char *dir, const char *src,
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

/* The names in tree-dir `dir` matching pattern, sorted. */
static int glob_dir(const char *tree, const char *dir, const char *pattern, struct strv *ret,
		    struct perr *err)
{
	char *h = path_join(tree, dir), **names = NULL;
	size_t n = 0;
	int r = h ? dir_list_sorted(h, "", &names, &n, err) : -ENOMEM;
	free(h);
	if (r < 0)
		/* name the directory as the list does, not by the cache path */
		return r == -ENOMEM ? perr_set(err, r, "out of memory")
				    : perr_set(err, r, "%s: %s", dir, strerror(-r));
	for (size_t i = 0; i < n; i++)
		if (!fnmatch(pattern, names[i], 0))
			strv_add(ret, names[i]);
	strv_free(names);
	return ret->oom ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

/* Splits "DIR/GLOB" at its last '/': *ret_dir gets DIR (a new string, NULL
 * on failure), names the entries of tree/DIR matching GLOB, sorted. */
static int glob_path(const char *tree, const char *path, char **ret_dir, struct strv *names, struct perr *err)
{
	char *sdir = strdup(path), *slash = sdir ? strrchr(sdir, '/') : NULL;
	int r = !sdir ? perr_set(err, -ENOMEM, "out of memory")
		: !slash ? perr_set(err, -EINVAL, "%s: expected an absolute path", path) : 0;
	if (r >= 0) {
		*slash = 0;
		r = glob_dir(tree, sdir, slash + 1, names, err);
	}
	if (r < 0) {
		free(sdir);
		sdir = NULL;
	}
	*ret_dir = sdir;
	return r;
}

/* The PACKAGE of a directive (its second field) and its unpacked tree;
 * usage is the error when the line has the wrong number of fields. */
static int line_package(struct base_list *c, const struct listline *ln, int fields_ok, const char *usage,
			const struct component **comp, const char **dir, struct perr *err)
{
	if (!fields_ok)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "%s", usage);
	if (!(*comp = comp_named(c, ln, ln->tok[1], err)))
		return -ENOENT;
	return base_list_tree(c, *comp, dir, err);
}

static int do_file(struct base_list *c, const struct listline *ln, struct perr *err)
{
	const struct component *comp;
	const char *dir;
	int r = line_package(c, ln, ln->ntok >= 3 && ln->ntok <= 5, "file: expected PACKAGE SRC [DEST] [MODE]",
			     &comp, &dir, err);
	if (r < 0)
		return r;
	const char *src = ln->tok[2], *dest = ln->ntok > 3 ? ln->tok[3] : NULL,
		   *mode = ln->ntok > 4 ? ln->tok[4] : NULL;
	if (src[0] != '/')
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "%s: expected an absolute path", src);
	if (!has_glob(src))
		return add_file_from(c, comp->name, dir, src, dest ? dest : src, mode, err);
	const char *last = strrchr(src, '/');
	char *sdir = NULL;
	struct strv names = STRV_INIT;
	if (last && strcspn(src, "*?[") < (size_t)(last - src))
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
				  "file: wildcards only in the last part of the path");
	r = glob_path(dir, src, &sdir, &names, err);
	if (r >= 0 && names.n == 0)
		r = perr_setat(err, -ENOENT, c->list.path, ln->lineno, 1, "%s: nothing matches %s",
			       comp->name, src);
	for (size_t i = 0; r >= 0 && i < names.n; i++) {
		char *s = NULL, *d = NULL;
		if (asprintf(&s, "%s/%s", sdir, names.v[i]) < 0 ||
		    asprintf(&d, "%s/%s", dest ? dest : sdir, names.v[i]) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else
			r = add_file_from(c, comp->name, dir, s, d, mode, err);
		free(s);
		free(d);
	}
	strv_clear(&names);
	free(sdir);
	return r;
}

static int do_concat(struct base_list *c, const struct listline *ln, struct perr *err)
{
	const struct component *comp;
	const char *dir;
	mode_t m;
	int r = line_package(c, ln, ln->ntok == 5, "concat: expected PACKAGE GLOB DEST MODE", &comp, &dir, err);
	if (r < 0)
		return r;
	if (parse_mode(ln->tok[4], &m) < 0)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "bad mode '%s'", ln->tok[4]);
	if (ln->tok[2][0] != '/')
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "%s: expected an absolute path",
				  ln->tok[2]);
	char *sdir = NULL;
	struct strv names = STRV_INIT;
	struct strbuf buf = STRBUF_INIT;
	r = glob_path(dir, ln->tok[2], &sdir, &names, err);
	for (size_t i = 0; r >= 0 && i < names.n; i++) {
		char *p = NULL, *h = NULL, *data = NULL;
		size_t dl;
		if (asprintf(&p, "%s/%s", sdir, names.v[i]) < 0 || !(h = path_join(dir, p))) {
			r = perr_set(err, -ENOMEM, "out of memory");
		} else if ((r = read_file(h, 64u << 20, &data, &dl, err)) >= 0) {
			sb_add(&buf, data, dl);
			if (dl && data[dl - 1] != '\n')
				sb_add(&buf, "\n", 1);
		}
		free(data);
		free(p);
		free(h);
	}
	if (r >= 0 && buf.err)
		r = perr_set(err, -ENOMEM, "out of memory");
	if (r >= 0)
		r = layer_add_blob(&c->layer, ln->tok[3], buf.s ? buf.s : "", buf.len, m, 0, 0, comp->name, err);
	sb_free(&buf);
	strv_clear(&names);
	free(sdir);
	return r;
}

static int do_applets(struct base_list *c, const struct listline *ln, struct perr *err)
{
	const struct component *comp;
	const char *dir;
	int r = line_package(c, ln, ln->ntok == 4, "applets: expected PACKAGE BUSYBOX DESTDIR", &comp, &dir, err);
	if (r < 0)
		return r;
	char *h = path_join(dir, ln->tok[2]);
	struct strv names = STRV_INIT;
	if (!h)
		return perr_set(err, -ENOMEM, "out of memory");
	r = busybox_applets(h, &names, err);
	free(h);
	for (size_t i = 0; r >= 0 && i < names.n; i++) {
		char *p = NULL;
		if (asprintf(&p, "%s/%s", ln->tok[3], names.v[i]) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else if (!layer_find(&c->layer, p) && strcmp(p, ln->tok[2]))
			r = layer_add_link(&c->layer, p, ln->tok[2], comp->name, err);
		free(p);
	}
	strv_clear(&names);
	return r;
}

void base_source(const struct base_opts *o, const char *rel, const char **dir, const char **sub)
{
	*dir = o->root;
	*sub = rel;
	if (o->products && !strncmp(rel, "build/", 6)) {
		*dir = o->products;
		*sub = rel + 6;
	}
}

static int do_product(struct base_list *c, const struct listline *ln, struct perr *err)
{
	mode_t m;
	const char *dir, *sub;
	unsigned uid = 0, gid = 0;
	if ((ln->ntok != 4 && ln->ntok != 6) || parse_mode(ln->tok[3], &m) < 0 ||
	    (ln->ntok == 6 && (parse_id(ln->tok[4], &uid) < 0 || parse_id(ln->tok[5], &gid) < 0)))
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1,
				  "product: expected PATH DEST MODE (octal) [UID GID]");
	base_source(c->o, ln->tok[1], &dir, &sub);
	char *h = path_join(dir, sub);
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
	r = layer_add_file(&c->layer, ln->tok[2], h, m, uid, gid, "build", err);
	if (r >= 0) {
		/* the product's libraries come from the components, like any binary */
		struct elf_info e;
		if ((r = elf_read(h, &e, err)) >= 0) {
			if (e.is_elf)
				r = close_over(c, sub, dir, err);
			elf_info_free(&e);
		}
	}
	free(h);
	return r;
}

static int apply_line(struct base_list *c, const struct listline *ln, struct perr *err);

/* Applies a line of an image's list into that image's layer, with the
 * same engine (components, closures, products) as the base. */
static int apply_into(void *ctxp, const struct listfile *lf, const struct listline *ln, struct layer *into,
		      struct perr *err)
{
	struct base_list *c = ctxp;
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
static int do_images(struct base_list *c, const struct listline *ln, struct perr *err)
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

static int apply_line(struct base_list *c, const struct listline *ln, struct perr *err)
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

void base_list_free(struct base_list *c)
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

int base_list_load(struct base_list *c, const struct base_opts *o, const struct lock *lock,
		   struct perr *err)
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

/* modules LISTFILE: the kernel's modules, selected before anything else. */
static int do_modules(struct base_list *c, const struct listline *ln, const char *kernel_tree,
		      struct perr *err)
{
	struct listfile ml;
	char *p = ln->ntok == 2 ? path_join(c->o->root, ln->tok[1]) : NULL;
	if (ln->ntok != 2)
		return perr_setat(err, -EINVAL, c->list.path, ln->lineno, 1, "modules: expected LISTFILE");
	int r = p ? listfile_load(p, &ml, err) : perr_set(err, -ENOMEM, "out of memory");
	free(p);
	if (r < 0)
		return r;
	free(c->kernel_release);
	c->kernel_release = NULL;
	r = kmod_select(kernel_tree, c->kernel->name, &ml, c->o->flavour, &c->layer, &c->kernel_release,
			&c->nmodules, err);
	listfile_free(&ml);
	return r;
}

/* Unpacks every component but the kernels, in lock order, as the trees
 * ELF closures find libraries in. */
static int load_root(struct base_list *c, struct perr *err)
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
		if ((r = base_list_tree(c, comp, &dir, err)) < 0)
			return r;
		c->root.dirs[c->root.n] = (char *)dir;
		c->root.names[c->root.n++] = comp->name;
	}
	return 0;
}

int base_list_images(const struct base_opts *o, const struct lock *lock, const struct listfile *lists,
		     size_t n, const char *path, struct perr *err)
{
	struct base_list c = { .o = o, .lock = lock };
	int r = 0;
	if (!(c.tree_of = calloc(lock->n ? lock->n : 1, sizeof(*c.tree_of))))
		r = perr_set(err, -ENOMEM, "out of memory");
	if (r == 0)
		r = load_root(&c, err);
	if (r == 0)
		r = sysimages_write(lists, n, apply_into, &c, o->mtime, path, err);
	base_list_free(&c);
	return r;
}

int base_list_apply(struct base_list *c, struct perr *err)
{
	const char *dir;
	int r = load_root(c, err);
	if (r < 0)
		return r;
	if ((r = base_list_tree(c, c->kernel, &dir, err)) < 0)
		return r;
	for (size_t i = 0; i < c->list.n; i++)
		if (!strcmp(c->list.lines[i].tok[0], "modules") && (r = do_modules(c, &c->list.lines[i], dir, err)) < 0)
			return r;
	for (size_t i = 0; i < c->list.n; i++)
		if ((r = apply_line(c, &c->list.lines[i], err)) < 0)
			return r;
	return 0;
}

int base_list_vmlinuz(struct base_list *c, char **ret, struct perr *err)
{
	const char *dir;
	struct strv names = STRV_INIT;
	int r = base_list_tree(c, c->kernel, &dir, err);
	if (r >= 0)
		r = glob_dir(dir, "/boot", "vmlinuz-*", &names, err);
	if (r < 0) {
		strv_clear(&names);
		return perr_wrap(err, "%s", c->kernel->name);
	}
	if (names.n != 1)
		r = perr_set(err, -EINVAL, "%s: expected one /boot/vmlinuz-*, found %zu", c->kernel->name, names.n);
	else if (asprintf(ret, "%s/boot/%s", dir, names.v[0]) < 0)
		r = perr_set(err, -ENOMEM, "out of memory");
	strv_clear(&names);
	return r;
}
