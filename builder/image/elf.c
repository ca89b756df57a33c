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

/* The version tables of a dynamic section (0: absent). */
struct dyn_tables {
	uint64_t stroff, strsz;             /* DT_STRTAB as a file offset, DT_STRSZ */
	uint64_t verneed, nverneed;         /* DT_VERNEED as a vaddr, DT_VERNEEDNUM */
	uint64_t verdef, nverdef;           /* DT_VERDEF as a vaddr, DT_VERDEFNUM */
};

/* A string of the dynamic string table, or NULL. */
static const char *dyn_str(const unsigned char *buf, const struct dyn_tables *t, uint64_t i)
{
	return i < t->strsz ? str_at(buf, t->stroff + t->strsz, t->stroff + i) : NULL;
}

/* DT_VERNEED: each library's entry with its chain of needed versions. */
static int read_verneed(const char *name, const unsigned char *buf, size_t len, const Elf64_Ehdr *eh,
			const struct dyn_tables *t, struct elf_info *e, struct perr *err)
{
	uint64_t off;
	if (!t->verneed)
		return 0;
	if (vaddr_to_off(buf, len, eh, t->verneed, &off) < 0)
		return perr_set(err, -EINVAL, "%s: corrupt DT_VERNEED", name);
	/* every entry takes 16 bytes: a count past that is corrupt, not slow */
	for (uint64_t i = 0; i < t->nverneed && i < len / sizeof(Elf64_Verneed); i++) {
		Elf64_Verneed vn;
		if (!in_bounds(len, off, sizeof(vn)))
			return perr_set(err, -EINVAL, "%s: corrupt DT_VERNEED", name);
		memcpy(&vn, buf + off, sizeof(vn));
		const char *file = dyn_str(buf, t, vn.vn_file);
		uint64_t aux = off + vn.vn_aux;
		for (unsigned k = 0; k < vn.vn_cnt; k++) {
			Elf64_Vernaux va;
			if (!file || !in_bounds(len, aux, sizeof(va)))
				return perr_set(err, -EINVAL, "%s: corrupt DT_VERNEED", name);
			memcpy(&va, buf + aux, sizeof(va));
			const char *ver = dyn_str(buf, t, va.vna_name);
			if (!ver)
				return perr_set(err, -EINVAL, "%s: corrupt DT_VERNEED", name);
			if (!(va.vna_flags & VER_FLG_WEAK))
				strv_addf(&e->verneed, "%s %s", file, ver);
			if (!va.vna_next)
				break;
			aux += va.vna_next;
		}
		if (!vn.vn_next)
			break;
		off += vn.vn_next;
	}
	return e->verneed.oom ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

/* DT_VERDEF: the versions defined, each named by its first aux entry. */
static int read_verdef(const char *name, const unsigned char *buf, size_t len, const Elf64_Ehdr *eh,
		       const struct dyn_tables *t, struct elf_info *e, struct perr *err)
{
	uint64_t off;
	if (!t->verdef)
		return 0;
	if (vaddr_to_off(buf, len, eh, t->verdef, &off) < 0)
		return perr_set(err, -EINVAL, "%s: corrupt DT_VERDEF", name);
	for (uint64_t i = 0; i < t->nverdef && i < len / sizeof(Elf64_Verdef); i++) {
		Elf64_Verdef vd;
		Elf64_Verdaux va;
		if (!in_bounds(len, off, sizeof(vd)))
			return perr_set(err, -EINVAL, "%s: corrupt DT_VERDEF", name);
		memcpy(&vd, buf + off, sizeof(vd));
		if (!(vd.vd_flags & VER_FLG_BASE) && vd.vd_cnt) {
			const char *ver = NULL;
			if (in_bounds(len, off + vd.vd_aux, sizeof(va))) {
				memcpy(&va, buf + off + vd.vd_aux, sizeof(va));
				ver = dyn_str(buf, t, va.vda_name);
			}
			if (!ver)
				return perr_set(err, -EINVAL, "%s: corrupt DT_VERDEF", name);
			strv_add(&e->verdef, ver);
		}
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
	return e->verdef.oom ? perr_set(err, -ENOMEM, "out of memory") : 0;
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
	uint64_t strtab = 0;
	struct dyn_tables t = { 0 };
	for (size_t i = 0; i < nd; i++) {
		Elf64_Dyn d;
		memcpy(&d, buf + dyn.p_offset + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_STRTAB)
			strtab = d.d_un.d_ptr;
		else if (d.d_tag == DT_STRSZ)
			t.strsz = d.d_un.d_val;
		else if (d.d_tag == DT_VERNEED)
			t.verneed = d.d_un.d_ptr;
		else if (d.d_tag == DT_VERNEEDNUM)
			t.nverneed = d.d_un.d_val;
		else if (d.d_tag == DT_VERDEF)
			t.verdef = d.d_un.d_ptr;
		else if (d.d_tag == DT_VERDEFNUM)
			t.nverdef = d.d_un.d_val;
	}
	uint64_t stroff, strsz = t.strsz;
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
	t.stroff = stroff;
	if ((r = read_verneed(name, buf, len, &eh, &t, &e, err)) < 0 ||
	    (r = read_verdef(name, buf, len, &eh, &t, &e, err)) < 0)
		goto fail;
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
	strv_clear(&e->verneed);
	strv_clear(&e->verdef);
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
