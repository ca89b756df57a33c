/* Layers and their newc archives: order, owners, times, compression. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

#include "image/cpio.h"
#include "fsutil.h"
#include "image/layer.h"
#include "testutil.h"

SCRATCH_GROUP("cpio")

static void fill(struct layer *l)
{
	struct perr e = PERR_INIT;
	char *src = path_join(dir, "src");
	assert_int_equal(write_file(src, "hello\n", 6, 0644, &e), 0);
	assert_int_equal(layer_add_file(l, "/usr/bin/hello", src, 0755, 0, 0, "t", &e), 0);
	assert_int_equal(layer_add_blob(l, "/etc/paddock/node.conf", "node.name=n1\n", 13, 0600, 0, 0, "t", &e), 0);
	assert_int_equal(layer_add_link(l, "/bin/sh", "busybox", "t", &e), 0);
	assert_int_equal(layer_add_chr(l, "/dev/console", 0600, 5, 1, &e), 0);
	assert_int_equal(layer_add_dir(l, "/data", 0700, 52034, 52034, &e), 0);
	assert_int_equal(layer_add_dir(l, "/etc-old", 0755, 0, 0, &e), 0);
	assert_int_equal(layer_sort(l, &e), 0);
	free(src);
}

static void sort_adds_parents_first(void **state)
{
	(void)state;
	struct layer l = { 0 };
	fill(&l);
	const char *want[] = { "/bin", "/bin/sh", "/data", "/dev", "/dev/console", "/etc", "/etc-old",
			       "/etc/paddock", "/etc/paddock/node.conf", "/usr", "/usr/bin", "/usr/bin/hello" };
	assert_int_equal(l.n, sizeof(want) / sizeof(*want));
	/* bytewise order: "/etc-old" sorts before "/etc/paddock"; the kernel
	 * creates parents on demand, so only a parent before its own child matters */
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.v[i].path, want[i]);
	assert_int_equal(layer_find(&l, "/data")->uid, 52034);
	layer_free(&l);
}

static void conflicts_are_errors(void **state)
{
	(void)state;
	struct layer l = { 0 };
	struct perr e = PERR_INIT;
	assert_int_equal(layer_add_link(&l, "/bin/sh", "busybox", "a", &e), 0);
	assert_int_equal(layer_add_link(&l, "/bin/sh", "busybox", "b", &e), 0);
	assert_true(layer_add_link(&l, "/bin/sh", "dash", "b", &e) < 0);
	assert_non_null(strstr(e.msg, "conflicts"));
	perr_clear(&e);
	assert_int_equal(layer_add_dir(&l, "/d", 0755, 0, 0, &e), 0);
	assert_int_equal(layer_add_dir(&l, "/d", 0755, 0, 0, &e), 0);
	assert_true(layer_add_dir(&l, "/d", 0700, 0, 0, &e) < 0);
	perr_clear(&e);
	assert_true(layer_add_dir(&l, "relative", 0755, 0, 0, &e) < 0);
	perr_clear(&e);
	assert_true(layer_add_dir(&l, "/a/../b", 0755, 0, 0, &e) < 0);
	perr_clear(&e);
	assert_int_equal(layer_add_blob(&l, "/bin/sh/x", "", 0, 0644, 0, 0, "c", &e), 0);
	assert_true(layer_sort(&l, &e) < 0);
	assert_non_null(strstr(e.msg, "parent /bin/sh is a symlink"));
	perr_clear(&e);
	layer_free(&l);
}

struct seen {
	char name[64];
	unsigned mode, uid;
	long long mtime;
	char data[32];
};

static size_t read_back(const char *path, struct seen *v, size_t cap)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t n = 0;
	archive_read_support_filter_all(a);
	archive_read_support_format_cpio(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK && n < cap) {
		snprintf(v[n].name, sizeof(v[n].name), "%s", archive_entry_pathname(e));
		v[n].mode = archive_entry_mode(e);
		v[n].uid = (unsigned)archive_entry_uid(e);
		v[n].mtime = archive_entry_mtime(e);
		memset(v[n].data, 0, sizeof(v[n].data));
		archive_read_data(a, v[n].data, sizeof(v[n].data) - 1);
		n++;
	}
	archive_read_free(a);
	return n;
}

static void writes_each_compression(void **state)
{
	(void)state;
	struct layer l = { 0 };
	struct perr e = PERR_INIT;
	fill(&l);
	for (int c = 0; c < 4; c++) {
		char *p = path_join(dir, compression_name((enum compression)c));
		struct cpio_stats a, b;
		assert_int_equal(cpio_write(&l, p, 0644, (enum compression)c, 1700000000, 2, &a, &e), 0);
		assert_int_equal(cpio_write(&l, p, 0644, (enum compression)c, 1700000000, 2, &b, &e), 0);
		assert_string_equal(a.sha256, b.sha256);
		assert_true(a.written > 0 && a.raw >= a.written / 2);
		assert_int_equal(a.written % 4, 0);
		assert_int_equal(file_size(p), (long long)a.written);
		struct seen v[32];
		size_t n = read_back(p, v, 32);
		assert_int_equal(n, l.n);
		assert_string_equal(v[0].name, "bin");
		assert_string_equal(v[n - 1].name, "usr/bin/hello");
		assert_string_equal(v[n - 1].data, "hello\n");
		assert_int_equal(v[n - 1].mode & 07777, 0755);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(v[i].mtime, 1700000000);
		assert_int_equal(v[2].uid, 52034);
		FILE *f = fopen(p, "rb");
		unsigned char h[12];
		assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
		fclose(f);
		if (c == COMPRESS_GZIP) /* MTIME field of the gzip header */
			assert_true(h[4] == 0 && h[5] == 0 && h[6] == 0 && h[7] == 0);
		if (c == COMPRESS_XZ) /* stream flags: check type CRC32, which the kernel needs */
			assert_int_equal(h[7], 0x01);
		if (c == COMPRESS_ZSTD)
			assert_int_equal(h[0], 0x28);
		if (c == COMPRESS_NONE)
			assert_memory_equal(h, "070701", 6);
		free(p);
	}
	enum compression c;
	assert_int_equal(compression_parse("xz", &c), 0);
	assert_int_equal(c, COMPRESS_XZ);
	assert_true(compression_parse("lz4", &c) < 0);
	layer_free(&l);
}

/* Whatever the compressed length, the layer ends on a 4-byte boundary and
 * still reads back whole (the padding is an empty zstd frame or gzip member). */
static void every_length_is_padded(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char data[256];
	srand(7);
	for (int c = 0; c < 4; c++) {
		for (int i = 0; i < 24; i++) {
			struct layer l = { 0 };
			for (int k = 0; k < i * 9; k++)
				data[k] = (char)rand();
			assert_int_equal(layer_add_blob(&l, "/x", data, (size_t)i * 9, 0644, 0, 0, "t", &e), 0);
			assert_int_equal(layer_sort(&l, &e), 0);
			char *p = path_join(dir, "pad.img");
			struct cpio_stats st;
			assert_int_equal(cpio_write(&l, p, 0644, (enum compression)c, 0, 0, &st, &e), 0);
			assert_int_equal(st.written % 4, 0);
			struct seen v[2];
			assert_int_equal(read_back(p, v, 2), 1);
			assert_memory_equal(v[0].data, data, (size_t)(i * 9 < 31 ? i * 9 : 31));
			free(p);
			layer_free(&l);
		}
	}
}

static void missing_source_is_named(void **state)
{
	(void)state;
	struct layer l = { 0 };
	struct perr e = PERR_INIT;
	assert_int_equal(layer_add_file(&l, "/x", "/nonexistent/file", 0644, 0, 0, "t", &e), 0);
	assert_int_equal(layer_sort(&l, &e), 0);
	char *p = path_join(dir, "broken.img");
	assert_true(cpio_write(&l, p, 0644, COMPRESS_ZSTD, 0, 0, NULL, &e) < 0);
	assert_non_null(strstr(e.msg, "/nonexistent/file"));
	assert_int_equal(access(p, F_OK), -1);
	perr_clear(&e);
	free(p);
	layer_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sort_adds_parents_first),
		cmocka_unit_test(conflicts_are_errors),
		cmocka_unit_test(writes_each_compression),
		cmocka_unit_test(every_length_is_padded),
		cmocka_unit_test(missing_source_is_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
