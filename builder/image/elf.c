/* elf: run-time needs of ELF files and sections of kernel modules. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/elfinfo.h"
#include "fsutil.h"

static int in_bounds(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

static int map_file(const char *path, unsigned char **ret, size_t *ret_len, struct perr *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return perr_set(err, -e, "%s: %s", path, strerror(e));
	}
	*ret_len = (size_t)st.st_size;
	*ret = NULL;
	if (st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			int e = errno;
			close(fd);
			return perr_set(err, -e, "%s: %s", path, strerror(e));
		}
		*ret = m;
	}
	close(fd);
	return 0;
}

/* A NUL-terminated string at off inside buf, or NULL. */
static const char *str_at(const unsigned char *buf, size_t len, uint64_t off)
{
	if (off >= len || !memchr(buf + off, 0, len - off))
		return NULL;
	return (const char *)buf + off;
}

static int vaddr_to_off(const unsigned char *buf, size_t len, const Elf64_Ehdr *eh, uint64_t va,
			uint64_t *off)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, buf + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && va >= ph.p_vaddr && va - ph.p_vaddr < ph.p_filesz) {
			*off = ph.p_offset + (va - ph.p_vaddr);
			return *off < len ? 0 : -1;
		}
	}
	return -1;
}

static int check_ehdr(const char *name, const unsigned char *buf, size_t len, Elf64_Ehdr *eh,
		      struct perr *err)
{
	if (len < sizeof(*eh) || memcmp(buf, ELFMAG, SELFMAG))
		return 0;
	memcpy(eh, buf, sizeof(*eh));
	if (buf[EI_CLASS] != ELFCLASS64 || buf[EI_DATA] != ELFDATA2LSB)
		return perr_set(err, -EINVAL, "%s: not a 64-bit little-endian ELF file", name);
	if (eh->e_phnum && (eh->e_phentsize != sizeof(Elf64_Phdr) ||
			    !in_bounds(len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))))
		return perr_set(err, -EINVAL, "%s: corrupt ELF program headers", name);
	if (eh->e_shnum && (eh->e_shentsize != sizeof(Elf64_Shdr) ||
			    !in_bounds(len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))))
		return perr_set(err, -EINVAL, "%s: corrupt ELF section headers", name);
	return 1;
}

static int push_needed(struct elf_info *e, const char *s)
{
	char **n = realloc(e->needed, (e->nneeded + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	e->needed = n;
	if (!(n[e->nneeded] = strdup(s)))
		return -ENOMEM;
	e->nneeded++;
	return 0;
}

int elf_parse(const char *name, const unsigned char *buf, size_t len, struct elf_info *out,
	      struct perr *err)
{
	Elf64_Ehdr eh = { 0 };
	struct elf_info e = { 0 };
	int r = check_ehdr(name, buf, len, &eh, err);
	if (r <= 0) {
		*out = e;
		return r;
	}
	e.is_elf = 1;
	Elf64_Phdr dyn = { 0 };
	int have_dyn = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, buf + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP) {
			if (!in_bounds(len, ph.p_offset, ph.p_filesz) || !ph.p_filesz ||
			    buf[ph.p_offset + ph.p_filesz - 1] != 0) {
				r = perr_set(err, -EINVAL, "%s: corrupt PT_INTERP", name);
				goto fail;
			}
			free(e.interp);
			if (!(e.interp = strdup((const char *)buf + ph.p_offset)))
				goto oom;
		} else if (ph.p_type == PT_DYNAMIC) {
			dyn = ph;
			have_dyn = 1;
		}
	}
	if (!have_dyn) {
		*out = e;
		return 0;
	}
	if (!in_bounds(len, dyn.p_offset, dyn.p_filesz)) {
		r = perr_set(err, -EINVAL, "%s: corrupt PT_DYNAMIC", name);
		goto fail;
	}
	size_t nd = dyn.p_filesz / sizeof(Elf64_Dyn);
	uint64_t strtab = 0, strsz = 0;
	for (size_t i = 0; i < nd; i++) {
		Elf64_Dyn d;
		memcpy(&d, buf + dyn.p_offset + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_STRTAB)
			strtab = d.d_un.d_ptr;
		else if (d.d_tag == DT_STRSZ)
			strsz = d.d_un.d_val;
	}
	uint64_t stroff;
	if (!strtab || vaddr_to_off(buf, len, &eh, strtab, &stroff) < 0 ||
	    !in_bounds(len, stroff, strsz)) {
		r = perr_set(err, -EINVAL, "%s: corrupt DT_STRTAB", name);
		goto fail;
	}
	for (size_t i = 0; i < nd; i++) {
		Elf64_Dyn d;
		memcpy(&d, buf + dyn.p_offset + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag != DT_NEEDED && d.d_tag != DT_RUNPATH && d.d_tag != DT_RPATH)
			continue;
		const char *s = d.d_un.d_val < strsz ? str_at(buf, stroff + strsz, stroff + d.d_un.d_val)
						     : NULL;
		if (!s) {
			r = perr_set(err, -EINVAL, "%s: corrupt dynamic string", name);
			goto fail;
		}
		if (d.d_tag == DT_NEEDED) {
			if (push_needed(&e, s) < 0)
				goto oom;
		} else {
			char **slot = d.d_tag == DT_RUNPATH ? &e.runpath : &e.rpath;
			free(*slot);
			if (!(*slot = strdup(s)))
				goto oom;
		}
	}
	*out = e;
	return 0;
oom:
	r = perr_set(err, -ENOMEM, "out of memory");
fail:
	elf_info_free(&e);
	return r;
}

int elf_read(const char *path, struct elf_info *out, struct perr *err)
{
	unsigned char *buf;
	size_t len;
	int r = map_file(path, &buf, &len, err);
	if (r < 0)
		return r;
	r = elf_parse(path, buf, len, out, err);
	if (buf)
		munmap(buf, len);
	return r;
}

void elf_info_free(struct elf_info *e)
{
	free(e->interp);
	for (size_t i = 0; i < e->nneeded; i++)
		free(e->needed[i]);
	free(e->needed);
	free(e->runpath);
	free(e->rpath);
	memset(e, 0, sizeof(*e));
}

int elf_section(const char *path, const char *section, char **ret, size_t *ret_len,
		struct perr *err)
{
	unsigned char *buf;
	size_t len;
	Elf64_Ehdr eh = { 0 };
	int r = map_file(path, &buf, &len, err);
	if (r < 0)
		return r;
	r = check_ehdr(path, buf, len, &eh, err);
	if (r == 0)
		r = perr_set(err, -EINVAL, "%s: not an ELF file", path);
	if (r < 0)
		goto out;
	r = perr_set(err, -ENOENT, "%s: no %s section", path, section);
	if (eh.e_shstrndx >= eh.e_shnum)
		goto out;
	Elf64_Shdr strs;
	memcpy(&strs, buf + eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(strs), sizeof(strs));
	if (!in_bounds(len, strs.sh_offset, strs.sh_size))
		goto out;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, buf + eh.e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		const char *n = sh.sh_name < strs.sh_size
					? str_at(buf, strs.sh_offset + strs.sh_size, strs.sh_offset + sh.sh_name)
					: NULL;
		if (!n || strcmp(n, section))
			continue;
		if (sh.sh_type == SHT_NOBITS || !in_bounds(len, sh.sh_offset, sh.sh_size)) {
			r = perr_set(err, -EINVAL, "%s: corrupt %s section", path, section);
			goto out;
		}
		char *c = malloc(sh.sh_size + 1);
		if (!c) {
			r = perr_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		memcpy(c, buf + sh.sh_offset, sh.sh_size);
		c[sh.sh_size] = 0;
		*ret = c;
		*ret_len = sh.sh_size;
		perr_clear(err);
		r = 0;
		goto out;
	}
out:
	if (buf)
		munmap(buf, len);
	return r;
}

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
	*strrchr(origin, '/') = 0;
	r = elf_read(host, &e, err);
	free(host);
	if (r < 0 || !e.is_elf) {
		free(origin);
		return r;
	}
	char **want = calloc(e.nneeded + 1, sizeof(*want));
	size_t nw = 0;
	if (!want) {
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
		want[nw++] = found;
	}
	for (size_t i = 0; i < nw; i++) {
		char *final = NULL, *fdir = NULL;
		r = elf_root_resolve(root, want[i], fn, ctx, &final, &fdir, err);
		if (r == 1) {
			r = 0;
			free(final);
			continue;
		}
		if (r < 0) {
			perr_wrap(err, "%s needs %s", path, want[i]);
			goto out;
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
	free(origin);
	elf_info_free(&e);
	return r;
}
