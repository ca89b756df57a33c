/* kmod: the kernel modules an image keeps. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/elfinfo.h"
#include "fsutil.h"
#include "image/kmod.h"

struct mod {
	char *name;    /* normalized */
	char *rel;     /* kernel/.../x.ko, relative to the version directory */
	char **deps;   /* normalized names, from .modinfo */
	size_t ndeps;
	char **alias;
	size_t nalias;
	char **soft;   /* softdep= names (pre and post): modules or aliases */
	size_t nsoft;
	int loaded;    /* modinfo read */
	int keep;
	int mark;      /* DFS */
};

struct index {
	const char *base;  /* tree/lib/modules/<ver> */
	struct mod *v;
	size_t n, cap;
	char **builtin;
	size_t nbuiltin;
	int err;
};

void kmod_normalize(char *name)
{
	for (; *name; name++)
		if (*name == '-')
			*name = '_';
}

/* nftw has no context argument; one scan at a time is all the builder does. */
static struct index *scanning;

static int on_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	struct index *x = scanning;
	if (flag != FTW_F)
		return 0;
	const char *b = path + ftw->base;
	size_t n = strlen(b);
	if (n > 7 && (!strcmp(b + n - 6, ".ko.xz") || !strcmp(b + n - 7, ".ko.zst"))) {
		x->err = -ENOTSUP;
		return 1;
	}
	if (n < 4 || strcmp(b + n - 3, ".ko"))
		return 0;
	if (x->n == x->cap) {
		size_t nc = x->cap ? 2 * x->cap : 1024;
		struct mod *nv = realloc(x->v, nc * sizeof(*nv));
		if (!nv)
			goto oom;
		x->v = nv;
		x->cap = nc;
	}
	struct mod *m = &x->v[x->n];
	memset(m, 0, sizeof(*m));
	if (!(m->name = strndup(b, n - 3)) || !(m->rel = strdup(path + strlen(x->base) + 1))) {
		free(m->name);
		goto oom;
	}
	kmod_normalize(m->name);
	x->n++;
	return 0;
oom:
	x->err = -ENOMEM;
	return 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct mod *)a)->name, ((const struct mod *)b)->name);
}

static struct mod *find(struct index *x, const char *name)
{
	struct mod key = { .name = (char *)name };
	return bsearch(&key, x->v, x->n, sizeof(*x->v), by_name);
}

static int is_builtin(const struct index *x, const char *name)
{
	for (size_t i = 0; i < x->nbuiltin; i++)
		if (!strcmp(x->builtin[i], name))
			return 1;
	return 0;
}

static int push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int load_builtin(struct index *x, struct perr *err)
{
	char *path = path_join(x->base, "modules.builtin"), *buf = NULL;
	size_t len;
	if (!path)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = read_file(path, 16u << 20, &buf, &len, err);
	free(path);
	if (r == -ENOENT) {
		perr_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		char *slash = memrchr(line, '/', (size_t)(nl - line));
		char *start = slash ? slash + 1 : line;
		size_t l = (size_t)(nl - start);
		if (l > 3 && !memcmp(nl - 3, ".ko", 3)) {
			if (push(&x->builtin, &x->nbuiltin, start, l - 3) < 0) {
				free(buf);
				return perr_set(err, -ENOMEM, "out of memory");
			}
			kmod_normalize(x->builtin[x->nbuiltin - 1]);
		}
		if (!*nl)
			break;
	}
	free(buf);
	return 0;
}

static int load_modinfo(struct index *x, struct mod *m, struct perr *err)
{
	char *path = path_join(x->base, m->rel), *info = NULL;
	size_t len;
	if (!path)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = elf_section(path, ".modinfo", &info, &len, err);
	free(path);
	if (r < 0)
		return r;
	m->loaded = 1;
	for (size_t i = 0; i < len;) {
		const char *s = info + i;
		size_t l = strnlen(s, len - i);
		if (!strncmp(s, "depends=", 8)) {
			const char *p = s + 8, *end = s + l;
			while (p < end) {
				const char *c = memchr(p, ',', (size_t)(end - p));
				if (!c)
					c = end;
				if (c > p && push(&m->deps, &m->ndeps, p, (size_t)(c - p)) < 0)
					goto oom;
				if (c > p)
					kmod_normalize(m->deps[m->ndeps - 1]);
				p = c + 1;
			}
		} else if (!strncmp(s, "alias=", 6) && l > 6) {
			if (push(&m->alias, &m->nalias, s + 6, l - 6) < 0)
				goto oom;
		} else if (!strncmp(s, "softdep=", 8)) {
			const char *p = s + 8, *end = s + l;
			while (p < end) {
				while (p < end && *p == ' ')
					p++;
				const char *w = p;
				while (p < end && *p != ' ')
					p++;
				if (p > w && p[-1] != ':' && push(&m->soft, &m->nsoft, w, (size_t)(p - w)) < 0)
					goto oom;
			}
		}
		i += l + 1;
	}
	free(info);
	return 0;
oom:
	free(info);
	return perr_set(err, -ENOMEM, "out of memory");
}

static int keep(struct index *x, struct mod *m, const char *why, struct perr *err);

/* A soft dependency (e.g. libcrc32c's "crc32c", which the crypto API loads
 * through the alias crypto-crc32c) is kept when the kernel has it as a
 * module or under an alias; a missing one is not an error. */
static int keep_soft(struct index *x, const char *name, const char *why, struct perr *err)
{
	char *n = strdup(name);
	int r = 0;
	if (!n)
		return perr_set(err, -ENOMEM, "out of memory");
	kmod_normalize(n);
	struct mod *m = find(x, n);
	if (m || is_builtin(x, n)) {
		r = m ? keep(x, m, why, err) : 0;
		free(n);
		return r;
	}
	/* modules named after the alias first (crc32c_generic, crc32c_intel),
	 * then all of them: reading every .modinfo costs a second */
	int found = 0;
	size_t nl = strlen(n);
	for (int pass = 0; pass < 2 && !found && r >= 0; pass++) {
		for (size_t i = 0; i < x->n && r >= 0; i++) {
			struct mod *c = &x->v[i];
			if (pass == 0 && strncmp(c->name, n, nl))
				continue;
			if (!c->loaded && (r = load_modinfo(x, c, err)) < 0)
				break;
			for (size_t k = 0; k < c->nalias; k++)
				if (!strcmp(c->alias[k], name)) {
					found = 1;
					r = keep(x, c, why, err);
					break;
				}
		}
	}
	free(n);
	return r;
}

static int keep(struct index *x, struct mod *m, const char *why, struct perr *err)
{
	if (m->keep)
		return 0;
	m->keep = 1;
	int r = m->loaded ? 0 : load_modinfo(x, m, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->nsoft; i++)
		if ((r = keep_soft(x, m->soft[i], why, err)) < 0)
			return r;
	for (size_t i = 0; i < m->ndeps; i++) {
		struct mod *d = find(x, m->deps[i]);
		if (!d) {
			if (is_builtin(x, m->deps[i]))
				continue;
			return perr_set(err, -ENOENT, "module %s (needed by %s) depends on %s, which is missing",
					m->name, why, m->deps[i]);
		}
		if ((r = keep(x, d, why, err)) < 0)
			return r;
	}
	return 0;
}

/* Post-order: dependencies before the module. */
static int order(struct index *x, struct mod *m, struct mod ***out, size_t *n, int stamp)
{
	if (m->mark == stamp)
		return 0;
	m->mark = stamp;
	for (size_t i = 0; i < m->ndeps; i++) {
		struct mod *d = find(x, m->deps[i]);
		if (d && order(x, d, out, n, stamp) < 0)
			return -ENOMEM;
	}
	(*out)[(*n)++] = m;
	return 0;
}

struct text {
	char *s;
	size_t len, cap;
};

static int append(struct text *t, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	if (t->len + la + lb + lc + 1 > t->cap) {
		size_t nc = (t->cap ? 2 * t->cap : 4096) + la + lb + lc;
		char *ns = realloc(t->s, nc);
		if (!ns)
			return -ENOMEM;
		t->s = ns;
		t->cap = nc;
	}
	memcpy(t->s + t->len, a, la);
	memcpy(t->s + t->len + la, b, lb);
	memcpy(t->s + t->len + la + lb, c, lc);
	t->len += la + lb + lc;
	return 0;
}

static int find_version(const char *tree, char **ret, struct perr *err)
{
	char *dir = path_join(tree, "lib/modules");
	if (!dir)
		return perr_set(err, -ENOMEM, "out of memory");
	DIR *d = opendir(dir);
	if (!d) {
		int r = perr_set(err, -errno, "%s: %s", dir, strerror(errno));
		free(dir);
		return r;
	}
	free(dir);
	char *ver = NULL;
	int count = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		count++;
		free(ver);
		ver = strdup(e->d_name);
	}
	closedir(d);
	if (count != 1 || !ver) {
		free(ver);
		return perr_set(err, -EINVAL, "expected exactly one kernel under lib/modules, found %d", count);
	}
	*ret = ver;
	return 0;
}

int kmod_select(const char *tree, const char *pkg, const struct listfile *list, const char *flavour,
		struct layer *l, char **ret_version, size_t *ret_count, struct perr *err)
{
	struct index x = { 0 };
	char *ver = NULL, *vdir = NULL, *base = NULL, *kdir = NULL;
	struct mod **ord = NULL;
	struct text dep = { 0 }, alias = { 0 };
	int r = find_version(tree, &ver, err);
	if (r < 0)
		goto out;
	if (asprintf(&vdir, "/lib/modules/%s", ver) < 0 || !(base = path_join(tree, vdir)) ||
	    !(kdir = path_join(base, "kernel"))) {
		vdir = NULL;
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	x.base = base;
	scanning = &x;
	r = nftw(kdir, on_file, 32, FTW_PHYS);
	scanning = NULL;
	if (r != 0 || x.err) {
		r = x.err == -ENOTSUP ? perr_set(err, -ENOTSUP, "%s: compressed kernel modules are not supported", pkg)
		    : x.err ? perr_set(err, x.err, "out of memory")
			    : perr_set(err, -EIO, "%s: cannot scan modules", kdir);
		goto out;
	}
	qsort(x.v, x.n, sizeof(*x.v), by_name);
	if ((r = load_builtin(&x, err)) < 0)
		goto out;
	for (size_t i = 0; i < list->n; i++) {
		const struct listline *ln = &list->lines[i];
		int applies = ln->ntok == 1;
		for (size_t k = 1; k < ln->ntok; k++)
			applies |= !strcmp(ln->tok[k], flavour);
		if (!applies)
			continue;
		char *name = strdup(ln->tok[0]);
		if (!name) {
			r = perr_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		kmod_normalize(name);
		struct mod *m = find(&x, name);
		int bi = !m && is_builtin(&x, name);
		free(name);
		if (bi)
			continue;
		if (!m) {
			r = perr_setat(err, -ENOENT, list->path, ln->lineno, 1,
				       "module %s: kernel %s (%s) has no such module and does not build it in",
				       ln->tok[0], ver, pkg);
			goto out;
		}
		if ((r = keep(&x, m, ln->tok[0], err)) < 0) {
			perr_wrap(err, "%s:%d", list->path, ln->lineno);
			goto out;
		}
	}
	if (!(ord = calloc(x.n ? x.n : 1, sizeof(*ord)))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	size_t kept = 0;
	int stamp = 0;
	for (size_t i = 0; i < x.n; i++) {
		struct mod *m = &x.v[i];
		if (!m->keep)
			continue;
		kept++;
		char *img = path_join(vdir, m->rel), *src = path_join(base, m->rel);
		r = img && src ? layer_add_file(l, img, src, 0644, 0, 0, pkg, err)
			       : perr_set(err, -ENOMEM, "out of memory");
		free(img);
		free(src);
		if (r < 0)
			goto out;
		size_t n = 0;
		if (order(&x, m, &ord, &n, ++stamp) < 0 || append(&dep, m->rel, ":", "") < 0)
			goto oom;
		/* ord ends with m itself; its dependencies are listed dependents-first */
		for (size_t k = n - 1; k-- > 0;)
			if (append(&dep, " ", ord[k]->rel, "") < 0)
				goto oom;
		if (append(&dep, "\n", "", "") < 0)
			goto oom;
		for (size_t k = 0; k < m->nalias; k++)
			if (append(&alias, "alias ", m->alias[k], " ") < 0 || append(&alias, m->name, "\n", "") < 0)
				goto oom;
	}
	const char *names[] = { "modules.dep", "modules.alias" };
	struct text *texts[] = { &dep, &alias };
	for (int i = 0; i < 2; i++) {
		char *p = path_join(vdir, names[i]);
		r = p ? layer_add_blob(l, p, texts[i]->s ? texts[i]->s : "", texts[i]->len, 0644, 0, 0,
				       "generated", err)
		      : perr_set(err, -ENOMEM, "out of memory");
		free(p);
		if (r < 0)
			goto out;
	}
	char *bsrc = path_join(base, "modules.builtin"), *bimg = path_join(vdir, "modules.builtin");
	r = bsrc && bimg ? (file_size(bsrc) >= 0 ? layer_add_file(l, bimg, bsrc, 0644, 0, 0, pkg, err) : 0)
			 : perr_set(err, -ENOMEM, "out of memory");
	free(bsrc);
	free(bimg);
	if (r < 0)
		goto out;
	*ret_version = ver;
	ver = NULL;
	*ret_count = kept;
	r = 0;
	goto out;
oom:
	r = perr_set(err, -ENOMEM, "out of memory");
out:
	for (size_t i = 0; i < x.n; i++) {
		free(x.v[i].name);
		free(x.v[i].rel);
		for (size_t k = 0; k < x.v[i].ndeps; k++)
			free(x.v[i].deps[k]);
		free(x.v[i].deps);
		for (size_t k = 0; k < x.v[i].nalias; k++)
			free(x.v[i].alias[k]);
		free(x.v[i].alias);
		for (size_t k = 0; k < x.v[i].nsoft; k++)
			free(x.v[i].soft[k]);
		free(x.v[i].soft);
	}
	free(x.v);
	for (size_t i = 0; i < x.nbuiltin; i++)
		free(x.builtin[i]);
	free(x.builtin);
	free(ord);
	free(dep.s);
	free(alias.s);
	free(ver);
	free(vdir);
	free(base);
	free(kdir);
	return r;
}
