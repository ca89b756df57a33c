/* ELF needs, symlink resolution inside component trees, library closure. */
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
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
