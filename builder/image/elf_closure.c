/* elf_closure: the files an ELF file needs at run time, found in a stack
 * of component trees seen as one root (never on the build host), and the
 * symbol versions it needs checked against the libraries found there. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "image/elfinfo.h"

/* Canonical absolute path: collapses "//", "/./" and "/../" (never above /). */
static char *normalize(const char *p)
{
	size_t n = strlen(p);
	char *out = malloc(n + 2), *w = out;
	if (!out)
		return NULL;
	*w = 0;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == 1 && s[0] == '.') {
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = strrchr(out, '/');
			w = slash ? slash : out;
			*w = 0;
		} else {
			*w++ = '/';
			memcpy(w, s, l);
			w += l;
			*w = 0;
		}
		s += l;
	}
	if (w == out) {
		out[0] = '/';
		out[1] = 0;
	}
	return out;
}

/* True when the directory holding host path h is inside tree: a directory
 * symlink in a package must not lead the lookup onto the build host. */
static int inside(const char *tree, const char *h)
{
	char *d = strdup(h), *rd = NULL, *rt = NULL;
	int ok = 0;
	if (d) {
		*strrchr(d, '/') = 0;
		rd = realpath(d, NULL);
		rt = realpath(tree, NULL);
		size_t n = rt ? strlen(rt) : 0;
		ok = rd && rt && !strncmp(rd, rt, n) && (rd[n] == 0 || rd[n] == '/');
	}
	free(d);
	free(rd);
	free(rt);
	return ok;
}

/* Finds which tree holds the image path p (lstat, no following). */
static int find_in_root(const struct elf_root *root, const char *p, struct stat *st)
{
	for (size_t i = 0; i < root->n; i++) {
		char *h = path_join(root->dirs[i], p);
		if (!h)
			return -ENOMEM;
		int ok = lstat(h, st) == 0 && inside(root->dirs[i], h);
		free(h);
		if (ok)
			return (int)i;
	}
	return -ENOENT;
}

int elf_root_resolve(const struct elf_root *root, const char *path, elf_need_fn fn, void *ctx,
		     char **ret_final, char **ret_dir, struct perr *err)
{
	char *cur = normalize(path);
	int r = 0;
	if (!cur)
		return perr_set(err, -ENOMEM, "out of memory");
	for (int hops = 0;; hops++) {
		struct stat st;
		int i = find_in_root(root, cur, &st);
		if (i == -ENOMEM) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		if (i < 0) {
			r = perr_set(err, -ENOENT, "%s: not found in any component", cur);
			break;
		}
		if (fn && (r = fn(ctx, cur, root->dirs[i], root->names[i], err)) < 0)
			break;
		if (!S_ISLNK(st.st_mode)) {
			if (ret_final)
				*ret_final = cur;
			else
				free(cur);
			if (ret_dir)
				*ret_dir = root->dirs[i];
			return r == 1 ? 1 : 0;
		}
		if (hops >= 40) {
			r = perr_set(err, -ELOOP, "%s: too many symlinks", path);
			break;
		}
		char *h = path_join(root->dirs[i], cur), *t = NULL, *next = NULL;
		ssize_t n = -1;
		if (h && (t = malloc((size_t)st.st_size + 1)))
			n = readlink(h, t, (size_t)st.st_size + 1);
		free(h);
		if (n < 0 || n > st.st_size) {
			free(t);
			r = perr_set(err, -EIO, "%s: cannot read symlink", cur);
			break;
		}
		t[n] = 0;
		if (t[0] == '/') {
			next = normalize(t);
		} else {
			char *slash = strrchr(cur, '/');
			*slash = 0;
			char *j = NULL;
			if (asprintf(&j, "%s/%s", cur, t) >= 0) {
				next = normalize(j);
				free(j);
			}
		}
		free(t);
		if (!next) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return r;
}

static const char *const default_dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					    "/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL };

/* Tries each directory of a ':' list (with $ORIGIN expanded) for lib. */
static int try_dirs(const struct elf_root *root, const char *list, const char *origin,
		    const char *lib, char **ret)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return -ENOMEM;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = NULL;
		int n;
		if (!strncmp(d, "$ORIGIN", 7))
			n = asprintf(&p, "%s%s/%s", origin, d + 7, lib);
		else if (!strncmp(d, "${ORIGIN}", 9))
			n = asprintf(&p, "%s%s/%s", origin, d + 9, lib);
		else
			n = asprintf(&p, "%s/%s", d, lib);
		if (n < 0) {
			free(copy);
			return -ENOMEM;
		}
		struct stat st;
		char *np = normalize(p);
		free(p);
		if (!np) {
			free(copy);
			return -ENOMEM;
		}
		if (find_in_root(root, np, &st) >= 0) {
			*ret = np;
			free(copy);
			return 0;
		}
		free(np);
	}
	free(copy);
	return -ENOENT;
}

/* Fails when the ELF file `path` (read as e) needs a symbol version of lib
 * that the file found for it (final, in tree dir) does not define. */
static int check_versions(const struct elf_root *root, const struct elf_info *e, const char *path,
			  const char *lib, const char *final, const char *dir, struct perr *err)
{
	size_t ll = strlen(lib);
	bool any = false;
	for (size_t i = 0; i < e->verneed.n && !any; i++)
		any = !strncmp(e->verneed.v[i], lib, ll) && e->verneed.v[i][ll] == ' ';
	if (!any)
		return 0;
	struct elf_info l;
	char *host = path_join(dir, final);
	int r = host ? elf_read(host, &l, err) : perr_set(err, -ENOMEM, "out of memory");
	free(host);
	if (r < 0)
		return r;
	/* a library without version definitions satisfies any: ld.so only warns */
	for (size_t i = 0; i < e->verneed.n && l.verdef.n && r == 0; i++) {
		const char *ver = e->verneed.v[i] + ll + 1;
		if (strncmp(e->verneed.v[i], lib, ll) || e->verneed.v[i][ll] != ' ' || strv_contains(&l.verdef, ver))
			continue;
		const char *comp = "?";
		for (size_t k = 0; k < root->n; k++)
			if (root->dirs[k] == dir)
				comp = root->names[k];
		r = perr_set(err, -ENOEXEC,
			     "%s needs version %s of %s, which %s (component %s) does not define: %s was built "
			     "against a newer %s than the image's; build it for the release of the components "
			     "(configs/components.lock) or link it statically",
			     path, ver, lib, final, comp, path, lib);
	}
	elf_info_free(&l);
	return r;
}

int elf_closure(const struct elf_root *root, const char *path, const char *dir, elf_need_fn fn,
		void *ctx, struct perr *err)
{
	struct elf_info e;
	char *host = path_join(dir, path), *origin = strdup(path);
	int r;
	if (!host || !origin) {
		free(host);
		free(origin);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	/* a build product may sit at the top of its directory */
	char *slash = strrchr(origin, '/');
	*(slash ? slash : origin) = 0;
	r = elf_read(host, &e, err);
	free(host);
	if (r < 0 || !e.is_elf) {
		free(origin);
		return r;
	}
	char **want = calloc(e.nneeded + 1, sizeof(*want));
	const char **wname = calloc(e.nneeded + 1, sizeof(*wname)); /* its DT_NEEDED, NULL for PT_INTERP */
	size_t nw = 0;
	if (!want || !wname) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (e.interp && !(want[nw++] = strdup(e.interp))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < e.nneeded; i++) {
		const char *lib = e.needed[i];
		char *found = NULL;
		if (strchr(lib, '/')) {
			found = normalize(lib);
			r = found ? 0 : -ENOMEM;
		} else {
			r = -ENOENT;
			if (e.rpath && !e.runpath)
				r = try_dirs(root, e.rpath, origin, lib, &found);
			if (r == -ENOENT && e.runpath)
				r = try_dirs(root, e.runpath, origin, lib, &found);
			for (size_t k = 0; r == -ENOENT && default_dirs[k]; k++)
				r = try_dirs(root, default_dirs[k], origin, lib, &found);
		}
		if (r == -ENOMEM) {
			r = perr_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		if (r < 0) {
			const char *rp = e.runpath ? e.runpath : e.rpath;
			r = perr_set(err, -ENOENT,
				     "%s needs %s, which no component provides (searched %s%s%s/lib, /usr/lib "
				     "and their x86_64-linux-gnu directories)",
				     path, lib, rp ? rp : "", rp ? ", " : "", "");
			goto out;
		}
		wname[nw] = lib;
		want[nw++] = found;
	}
	for (size_t i = 0; i < nw; i++) {
		char *final = NULL, *fdir = NULL;
		r = elf_root_resolve(root, want[i], fn, ctx, &final, &fdir, err);
		if (r < 0) {
			perr_wrap(err, "%s needs %s", path, want[i]);
			goto out;
		}
		int seen = r;
		if (wname[i] && (r = check_versions(root, &e, path, wname[i], final, fdir, err)) < 0) {
			free(final);
			goto out;
		}
		if (seen == 1) {
			free(final);
			continue;
		}
		r = elf_closure(root, final, fdir, fn, ctx, err);
		free(final);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	for (size_t i = 0; want && i < nw; i++)
		free(want[i]);
	free(want);
	free(wname);
	free(origin);
	elf_info_free(&e);
	return r;
}
