#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <cmocka.h>

#include "image/dockersave.h"
#include "json.h"
#include "strbuf.h"

struct member {
	char *name;
	char *data;
	size_t len;
};

/* Reads a tar (file or memory) into members, in order. */
static size_t read_tar(const char *path, const void *mem, size_t memlen, struct member *m, size_t max)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t n = 0;

	archive_read_support_format_tar(a);
	if (path)
		assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
	else
		assert_int_equal(archive_read_open_memory(a, mem, memlen), ARCHIVE_OK);
	while (n < max && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		size_t len = (size_t)archive_entry_size(e);
		m[n].name = strdup(archive_entry_pathname(e));
		m[n].data = malloc(len + 1);
		m[n].len = len;
		if (len)
			assert_int_equal(archive_read_data(a, m[n].data, len), (la_ssize_t)len);
		m[n].data[len] = '\0';
		if (archive_entry_filetype(e) == AE_IFLNK) {
			free(m[n].data);
			m[n].data = strdup(archive_entry_symlink(e));
		}
		n++;
	}
	archive_read_free(a);
	return n;
}

static void free_members(struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].data);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void writes_loadable_deterministic_bundles(void **state)
{
	(void)state;
	char dir[] = "/tmp/paddock-dsave-XXXXXX", src[64], out[64], out2[64];
	struct perr e = PERR_INIT;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/hello", dir);
	snprintf(out, sizeof(out), "%s/a.tar", dir);
	snprintf(out2, sizeof(out2), "%s/b.tar", dir);
	f = fopen(src, "w");
	fputs("#!/bin/sh\necho hi\n", f);
	fclose(f);

	const struct dsave_entry ents[] = {
		{ .path = "/usr/bin/hello", .type = DSAVE_FILE, .perm = 0755, .src = src },
		{ .path = "/etc/passwd", .type = DSAVE_BLOB, .perm = 0644, .data = "root:x:0:0::/:/bin/sh\n", .len = 22 },
		{ .path = "/bin", .type = DSAVE_LINK, .perm = 0777, .target = "usr/bin" },
		{ .path = "/etc", .type = DSAVE_DIR, .perm = 0755 },
		{ .path = "/usr", .type = DSAVE_DIR, .perm = 0755 },
		{ .path = "/usr/bin", .type = DSAVE_DIR, .perm = 0755 },
		{ .path = "/data", .type = DSAVE_DIR, .perm = 0700, .uid = 52034, .gid = 52034 },
	};
	char *ep[] = { "/usr/bin/hello", NULL };
	const struct dsave_image imgs[] = {
		{ .tag = "paddock/a:1", .entries = ents, .n = 7, .entrypoint = ep },
		{ .tag = "paddock/b:1", .entries = ents, .n = 7, .user = "52034:52034" },
	};
	assert_int_equal(dockersave_write(out, imgs, 2, 1700000000, &e), 0);
	assert_int_equal(dockersave_write(out2, imgs, 2, 1700000000, &e), 0);

	size_t l1, l2;
	char *b1 = slurp(out, &l1), *b2 = slurp(out2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	free(b1);
	free(b2);

	struct member m[16];
	size_t n = read_tar(out, NULL, 0, m, 16);
	/* one shared layer: dir + layer.tar, two configs, the manifest */
	assert_int_equal(n, 5);
	assert_string_equal(m[n - 1].name, "manifest.json");
	struct json *man = NULL;
	assert_int_equal(json_parse(m[n - 1].data, m[n - 1].len, &man, &e), 0);
	assert_int_equal(man->type, JSON_ARR);
	assert_string_equal(json_get(man->child, "RepoTags")->child->str, "paddock/a:1");
	assert_string_equal(json_get(man->child->next, "RepoTags")->child->str, "paddock/b:1");
	const char *layer_name = json_get(man->child, "Layers")->child->str;

	/* the layer's sha256 is the diff id the config names */
	struct member *layer = NULL, *cfg = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(m[i].name, layer_name))
			layer = &m[i];
		if (!strcmp(m[i].name, json_str_at(man->child, "Config")))
			cfg = &m[i];
	}
	assert_non_null(layer);
	assert_non_null(cfg);
	unsigned char md[32];
	char hex[65];
	EVP_Digest(layer->data, layer->len, md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_memory_equal(layer_name, hex, 64);
	struct json *c = NULL;
	assert_int_equal(json_parse(cfg->data, cfg->len, &c, &e), 0);
	assert_string_equal(json_path(c, "rootfs.diff_ids")->child->str + 7, hex);
	assert_string_equal(json_path(c, "config.Entrypoint")->child->str, "/usr/bin/hello");
	assert_string_equal(json_str_at(c, "created"), "2023-11-14T22:13:20Z");
	json_free(c);
	json_free(man);

	/* layer entries are sorted, parents first, owners kept */
	struct member lm[16];
	size_t ln = read_tar(NULL, layer->data, layer->len, lm, 16);
	assert_int_equal(ln, 7);
	assert_string_equal(lm[0].name, "bin");
	assert_string_equal(lm[0].data, "usr/bin");
	assert_string_equal(lm[1].name, "data/");
	assert_string_equal(lm[6].name, "usr/bin/hello");
	assert_string_equal(lm[6].data, "#!/bin/sh\necho hi\n");
	free_members(lm, ln);
	free_members(m, n);

	unlink(out);
	unlink(out2);
	unlink(src);
	rmdir(dir);
}

static void missing_source_fails_without_leaving_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/paddock-dsave-XXXXXX", out[64], tmp[64];
	struct perr e = PERR_INIT;

	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/x.tar", dir);
	snprintf(tmp, sizeof(tmp), "%s/x.tar.tmp", dir);
	const struct dsave_entry ents[] = {
		{ .path = "/x", .type = DSAVE_FILE, .perm = 0755, .src = "/nonexistent/file" },
	};
	const struct dsave_image img = { .tag = "paddock/x:1", .entries = ents, .n = 1 };
	assert_int_equal(dockersave_write(out, &img, 1, 0, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/nonexistent/file"));
	assert_non_null(strstr(e.msg, "paddock/x:1"));
	perr_clear(&e);
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(access(tmp, F_OK), -1);

	const struct dsave_entry twice[] = {
		{ .path = "/a", .type = DSAVE_DIR, .perm = 0755 },
		{ .path = "/a", .type = DSAVE_DIR, .perm = 0700 },
	};
	const struct dsave_image img2 = { .tag = "paddock/y:1", .entries = twice, .n = 2 };
	assert_int_equal(dockersave_write(out, &img2, 1, 0, &e), -EEXIST);
	perr_clear(&e);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_loadable_deterministic_bundles),
		cmocka_unit_test(missing_source_fails_without_leaving_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
