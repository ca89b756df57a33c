/* ELF needs, symlink resolution inside component trees, library closure. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "image/elfinfo.h"
#include "fsutil.h"
#include "image/kmod.h"
#include "components/listfile.h"
#include "testutil.h"

SCRATCH_GROUP("elf")

static void reads_own_needs(void **state)
{
	(void)state;
	struct elf_info e;
	struct perr err = PERR_INIT;
	assert_int_equal(elf_read("/proc/self/exe", &e, &err), 0);
	assert_true(e.is_elf);
	assert_non_null(e.interp);
	assert_non_null(strstr(e.interp, "ld-linux"));
	int libc = 0;
	for (size_t i = 0; i < e.nneeded; i++)
		libc |= !strcmp(e.needed[i], "libc.so.6");
	assert_true(libc);
	elf_info_free(&e);
}

static void survives_garbage(void **state)
{
	(void)state;
	struct elf_info e;
	struct perr err = PERR_INIT;
	assert_int_equal(elf_parse("text", (const unsigned char *)"#!/bin/sh\n", 10, &e, &err), 0);
	assert_false(e.is_elf);
	/* a real header cut short, and one with its tables pointing past the end */
	char *buf;
	size_t len;
	assert_int_equal(read_file("/proc/self/exe", 64u << 20, &buf, &len, &err) == 0 ? 0 : -1, 0);
	for (size_t cut = 16; cut < 4096 && cut < len; cut += 61) {
		if (elf_parse("cut", (unsigned char *)buf, cut, &e, &err) == 0)
			elf_info_free(&e);
		perr_clear(&err);
	}
	buf[0x20] = (char)0xff; /* e_phoff low byte */
	buf[0x27] = 0x7f;       /* e_phoff high byte */
	assert_true(elf_parse("bad", (unsigned char *)buf, len, &e, &err) < 0);
	perr_clear(&err);
	free(buf);
}

static void mk(const char *rel, const char *link)
{
	char *p = path_join(dir, rel), *d = strdup(p);
	struct perr e = PERR_INIT;
	*strrchr(d, '/') = 0;
	assert_int_equal(mkdir_p(d, 0755, &e), 0);
	if (link)
		assert_int_equal(symlink(link, p), 0);
	else
		assert_int_equal(write_file(p, "x", 1, 0644, &e), 0);
	free(p);
	free(d);
}

struct log {
	char paths[16][128];
	int n;
};

static int note(void *ctx, const char *path, const char *d, const char *comp, struct perr *err)
{
	(void)d;
	(void)comp;
	(void)err;
	struct log *l = ctx;
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->paths[i], path))
			return 1;
	snprintf(l->paths[l->n++], 128, "%s", path);
	return 0;
}

static void resolves_links_inside_the_root(void **state)
{
	(void)state;
	mk("a/lib/x/libfoo.so.1.2", NULL);
	mk("a/lib/x/libfoo.so.1", "libfoo.so.1.2");
	mk("b/lib64/ld.so", "/lib/x/../x/libfoo.so.1");
	mk("b/loop", "loop");
	mk("b/hostlib", "/usr");
	char *a = path_join(dir, "a"), *b = path_join(dir, "b");
	char *dirs[] = { a, b }, *names[] = { "pa", "pb" };
	struct elf_root root = { dirs, names, 2 };
	struct log l = { .n = 0 };
	struct perr e = PERR_INIT;
	char *final = NULL, *fdir = NULL;
	assert_int_equal(elf_root_resolve(&root, "/lib64/ld.so", note, &l, &final, &fdir, &e), 0);
	assert_string_equal(final, "/lib/x/libfoo.so.1.2");
	assert_ptr_equal(fdir, a);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.paths[1], "/lib/x/libfoo.so.1");
	free(final);
	assert_int_equal(elf_root_resolve(&root, "/lib64/ld.so", note, &l, NULL, NULL, &e), 1);
	assert_true(elf_root_resolve(&root, "/loop", NULL, NULL, NULL, NULL, &e) < 0);
	assert_non_null(strstr(e.msg, "too many symlinks"));
	perr_clear(&e);
	/* through a directory link to the host: not found */
	assert_true(elf_root_resolve(&root, "/hostlib/bin/env", NULL, NULL, NULL, NULL, &e) < 0);
	perr_clear(&e);
	assert_true(elf_root_resolve(&root, "/etc/passwd", NULL, NULL, NULL, NULL, &e) < 0);
	assert_non_null(strstr(e.msg, "not found in any component"));
	perr_clear(&e);
	free(a);
	free(b);
}

static void closure_never_uses_the_host(void **state)
{
	(void)state;
	/* this test program, alone in a tree: its libraries are on the host but
	 * not in the tree, so the closure must fail naming one */
	struct perr e = PERR_INIT;
	char *t = path_join(dir, "c"), *bin = path_join(t, "bin/prog");
	assert_int_equal(mkdir_p(t, 0755, &e), 0);
	char *bd = path_join(t, "bin");
	assert_int_equal(mkdir_p(bd, 0755, &e), 0);
	assert_int_equal(copy_file("/proc/self/exe", bin, 0755, &e), 0);
	char *dirs[] = { t }, *names[] = { "c" };
	struct elf_root root = { dirs, names, 1 };
	struct log l = { .n = 0 };
	assert_true(elf_closure(&root, "/bin/prog", t, note, &l, &e) < 0);
	assert_non_null(strstr(e.msg, "/bin/prog needs "));
	perr_clear(&e);
	free(t);
	free(bin);
	free(bd);
}

/* A minimal 64-bit ELF file at dir/rel: it needs `needs` (a DT_NEEDED)
 * with the versions vers ("!V" for a weak need) and defines the versions
 * defs (DT_VERDEF, after its base entry); either list may be NULL. */
static void write_elf(const char *rel, const char *needs, const char *const *vers, const char *const *defs)
{
	unsigned char buf[4096] = { 0 };
	char str[512] = { 0 };
	size_t sl = 1, off = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
#define STR(s) (memcpy(str + sl, s, strlen(s) + 1), sl += strlen(s) + 1, (Elf64_Word)(sl - strlen(s) - 1))
	Elf64_Dyn dyn[16];
	size_t nd = 0, nv = 0, ndef = 0;
	size_t strtab = off;
	Elf64_Word needs_at = needs ? STR(needs) : 0;
	Elf64_Word ver_at[8], def_at[8], base_at = STR("libself.so");
	for (; vers && vers[nv]; nv++)
		ver_at[nv] = STR(vers[nv][0] == '!' ? vers[nv] + 1 : vers[nv]);
	for (; defs && defs[ndef]; ndef++)
		def_at[ndef] = STR(defs[ndef]);
#undef STR
	memcpy(buf + strtab, str, sl);
	off = (strtab + sl + 7) & ~(size_t)7;
	if (needs)
		dyn[nd++] = (Elf64_Dyn){ DT_NEEDED, { needs_at } };
	dyn[nd++] = (Elf64_Dyn){ DT_STRTAB, { strtab } };
	dyn[nd++] = (Elf64_Dyn){ DT_STRSZ, { sl } };
	if (nv) {
		Elf64_Verneed vn = { 1, (Elf64_Half)nv, needs_at, sizeof(vn), 0 };
		memcpy(buf + off, &vn, sizeof(vn));
		for (size_t i = 0; i < nv; i++) {
			Elf64_Vernaux va = { 0, vers[i][0] == '!' ? VER_FLG_WEAK : 0, (Elf64_Half)(2 + i), ver_at[i],
					     i + 1 < nv ? sizeof(va) : 0 };
			memcpy(buf + off + sizeof(vn) + i * sizeof(va), &va, sizeof(va));
		}
		dyn[nd++] = (Elf64_Dyn){ DT_VERNEED, { off } };
		dyn[nd++] = (Elf64_Dyn){ DT_VERNEEDNUM, { 1 } };
		off += sizeof(vn) + nv * sizeof(Elf64_Vernaux);
	}
	if (ndef) {
		size_t step = sizeof(Elf64_Verdef) + sizeof(Elf64_Verdaux);
		for (size_t i = 0; i <= ndef; i++) {
			Elf64_Verdef vd = { 1, i ? 0 : VER_FLG_BASE, (Elf64_Half)(i + 1), 1, 0, sizeof(vd),
					    i < ndef ? step : 0 };
			Elf64_Verdaux va = { i ? def_at[i - 1] : base_at, 0 };
			memcpy(buf + off + i * step, &vd, sizeof(vd));
			memcpy(buf + off + i * step + sizeof(vd), &va, sizeof(va));
		}
		dyn[nd++] = (Elf64_Dyn){ DT_VERDEF, { off } };
		dyn[nd++] = (Elf64_Dyn){ DT_VERDEFNUM, { ndef + 1 } };
		off += (ndef + 1) * step;
	}
	dyn[nd++] = (Elf64_Dyn){ DT_NULL, { 0 } };
	off = (off + 7) & ~(size_t)7;
	memcpy(buf + off, dyn, nd * sizeof(*dyn));
	size_t len = off + nd * sizeof(*dyn);
	Elf64_Ehdr eh = { .e_type = ET_DYN, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_phoff = sizeof(eh), .e_ehsize = sizeof(eh), .e_phentsize = sizeof(Elf64_Phdr),
			  .e_phnum = 2 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_offset = 0, .p_vaddr = 0, .p_filesz = len, .p_memsz = len },
		{ .p_type = PT_DYNAMIC, .p_offset = off, .p_vaddr = off, .p_filesz = nd * sizeof(*dyn),
		  .p_memsz = nd * sizeof(*dyn) },
	};
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	struct perr e = PERR_INIT;
	char *p = path_join(dir, rel), *d = strdup(p);
	*strrchr(d, '/') = 0;
	assert_int_equal(mkdir_p(d, 0755, &e), 0);
	assert_int_equal(write_file(p, buf, len, 0755, &e), 0);
	free(p);
	free(d);
}

static int closure_of_prog(const char *tree, struct perr *e)
{
	char *t = path_join(dir, tree);
	char *dirs[] = { t }, *names[] = { "libc6" };
	struct elf_root root = { dirs, names, 1 };
	struct log l = { .n = 0 };
	int r = elf_closure(&root, "/bin/prog", t, note, &l, e);
	free(t);
	return r;
}

static void symbol_versions_are_checked_against_the_image(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	const char *const needs[] = { "GLIBC_2.2.5", "GLIBC_2.99", NULL };
	const char *const old[] = { "GLIBC_2.2.5", "GLIBC_2.36", NULL };
	const char *const newer[] = { "GLIBC_2.2.5", "GLIBC_2.36", "GLIBC_2.99", NULL };
	/* parsed both ways round */
	write_elf("v1/bin/prog", "libc.so.6", needs, NULL);
	write_elf("v1/lib/x86_64-linux-gnu/libc.so.6", NULL, NULL, old);
	struct elf_info i;
	char *p = path_join(dir, "v1/bin/prog");
	assert_int_equal(elf_read(p, &i, &e), 0);
	assert_int_equal(i.verneed.n, 2);
	assert_string_equal(i.verneed.v[1], "libc.so.6 GLIBC_2.99");
	elf_info_free(&i);
	free(p);
	p = path_join(dir, "v1/lib/x86_64-linux-gnu/libc.so.6");
	assert_int_equal(elf_read(p, &i, &e), 0);
	assert_int_equal(i.verdef.n, 2); /* the base entry is the file's name, not a version */
	assert_string_equal(i.verdef.v[1], "GLIBC_2.36");
	elf_info_free(&i);
	free(p);
	/* built against a newer libc than the image's: the closure fails */
	assert_true(closure_of_prog("v1", &e) < 0);
	if (!strstr(e.msg, "/bin/prog needs version GLIBC_2.99 of libc.so.6, which "
			   "/lib/x86_64-linux-gnu/libc.so.6 (component libc6) does not define"))
		fail_msg("message: %s", e.msg);
	perr_clear(&e);
	/* the image's libc has it */
	write_elf("v2/bin/prog", "libc.so.6", needs, NULL);
	write_elf("v2/lib/x86_64-linux-gnu/libc.so.6", NULL, NULL, newer);
	assert_int_equal(closure_of_prog("v2", &e), 0);
	/* a weak need is not insisted on, nor versions of an unversioned library */
	const char *const weak[] = { "GLIBC_2.2.5", "!GLIBC_2.99", NULL };
	write_elf("v3/bin/prog", "libc.so.6", weak, NULL);
	write_elf("v3/lib/x86_64-linux-gnu/libc.so.6", NULL, NULL, old);
	assert_int_equal(closure_of_prog("v3", &e), 0);
	write_elf("v4/bin/prog", "libc.so.6", needs, NULL);
	write_elf("v4/lib/x86_64-linux-gnu/libc.so.6", NULL, NULL, NULL);
	assert_int_equal(closure_of_prog("v4", &e), 0);
}

static void reads_real_symbol_versions(void **state)
{
	(void)state;
	/* this test program needs versions of the host's libc, which defines them */
	struct elf_info self, libc;
	struct perr e = PERR_INIT;
	assert_int_equal(elf_read("/proc/self/exe", &self, &e), 0);
	const char *lib = access("/lib/x86_64-linux-gnu/libc.so.6", F_OK) == 0 ? "/lib/x86_64-linux-gnu/libc.so.6"
										 : "/lib64/libc.so.6";
	assert_int_equal(elf_read(lib, &libc, &e), 0);
	size_t checked = 0;
	for (size_t i = 0; i < self.verneed.n; i++)
		if (!strncmp(self.verneed.v[i], "libc.so.6 ", 10)) {
			assert_true(strv_contains(&libc.verdef, self.verneed.v[i] + 10));
			checked++;
		}
	assert_true(checked > 0);
	assert_true(strv_contains(&libc.verdef, "GLIBC_2.2.5"));
	elf_info_free(&self);
	elf_info_free(&libc);
}

static void module_names_normalize(void **state)
{
	(void)state;
	char n[] = "usb-storage";
	kmod_normalize(n);
	assert_string_equal(n, "usb_storage");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_own_needs),
		cmocka_unit_test(survives_garbage),
		cmocka_unit_test(resolves_links_inside_the_root),
		cmocka_unit_test(closure_never_uses_the_host),
		cmocka_unit_test(module_names_normalize),
		cmocka_unit_test(symbol_versions_are_checked_against_the_image),
		cmocka_unit_test(reads_real_symbol_versions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
