/* The base layer from a synthetic source tree and components: base.list
 * directives, generated parts, the cache key, the cache itself. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

#include "image/base.h"
#include "image/base_list.h"
#include "components/digest.h"
#include "fsutil.h"
#include "image/layer.h"
#include "components/listfile.h"
#include "components/lock.h"
#include "testutil.h"

static char dir[] = "/tmp/paddock-test-base.XXXXXX";
static char *root, *cache;
static struct lock lock;

static void member(struct archive *a, const char *name, const char *data, size_t len, int link)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, link ? AE_IFLNK : AE_IFREG);
	archive_entry_set_perm(e, link ? 0777 : 0755);
	if (link)
		archive_entry_set_symlink(e, data);
	else
		archive_entry_set_size(e, (la_int64_t)len);
	archive_write_header(a, e);
	if (!link)
		archive_write_data(a, data, len);
	archive_entry_free(e);
}

/* Writes a .deb of (name, content-or-link-target, is-link) triples into
 * dir and returns its lock line. */
static char *deb(const char *pkg, const char *const *spec)
{
	struct mem data = { 0 }, out = { 0 };
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_open(a, &data, NULL, mem_write, NULL);
	for (size_t i = 0; spec[i]; i += 3)
		member(a, spec[i], spec[i + 1], strlen(spec[i + 1]), spec[i + 2][0] == 'l');
	archive_write_close(a);
	archive_write_free(a);
	a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	archive_write_open(a, &out, NULL, mem_write, NULL);
	member(a, "debian-binary", "2.0\n", 4, 0);
	member(a, "data.tar.gz", data.buf, data.len, 0);
	archive_write_close(a);
	archive_write_free(a);
	char *path = NULL, *line = NULL, sha[DIGEST_HEX_LEN + 1];
	struct perr e = PERR_INIT;
	assert_true(asprintf(&path, "%s/%s.deb", dir, pkg) > 0);
	assert_int_equal(write_file(path, out.buf, out.len, 0644, &e), 0);
	digest_buf(out.buf, out.len, sha);
	assert_true(asprintf(&line, "url %s file://%s %s\n", pkg, path, sha) > 0);
	free(path);
	free(data.buf);
	free(out.buf);
	return line;
}

static void put(const char *rel, const char *text)
{
	struct perr e = PERR_INIT;
	char *p = path_join(root, rel), *d = strdup(p);
	*strrchr(d, '/') = 0;
	assert_int_equal(mkdir_p(d, 0755, &e), 0);
	assert_int_equal(write_file(p, text, strlen(text), 0644, &e), 0);
	free(p);
	free(d);
}

static int setup(void **state)
{
	(void)state;
	if (scratch_make(dir) < 0)
		return -1;
	root = path_join(dir, "root");
	cache = path_join(dir, "cache");
	const char *tool[] = { "./usr/bin/tool", "#!/bin/sh\n", "f", "./usr/bin/tool2", "tool", "l",
			       "./usr/share/certs/b.crt", "B\n", "f", "./usr/share/certs/a.crt", "A", "f", NULL };
	const char *kernel[] = { "./boot/vmlinuz-9.9-test", "KERNEL", "f", "./lib/modules/9.9-test/modules.order", "", "f", NULL };
	char *l1 = deb("tool", tool), *l2 = deb("kern", kernel), *text = NULL;
	assert_true(asprintf(&text, "%s%s", l1, l2) > 0);
	put("configs/components.lock", text);
	put("configs/base.list", "kernel cloud kern\n"
				 "dir /tmp 1777\n"
				 "dir /data 0700 52034 52035\n"
				 "file tool /usr/bin/tool2 /bin/tool 0700\n"
				 "file tool /usr/bin/* /usr/bin\n"
				 "link /bin/sh tool\n"
				 "concat tool /usr/share/certs/*.crt /etc/ca.crt 0644\n"
				 "product build/init /init 0755\n"
				 "product build/init /sbin/ctl 4750 0 990\n");
	put("build/init", "#!/bin/sh\necho init\n");
	struct perr e = PERR_INIT;
	char *lp = path_join(root, "configs/components.lock");
	assert_int_equal(lock_load(lp, &lock, &e), 0);
	free(lp);
	free(l1);
	free(l2);
	free(text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lock_free(&lock);
	scratch_remove(dir);
	free(root);
	free(cache);
	return 0;
}

static char *list(const char *img)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *out = calloc(1, 8192);
	archive_read_support_filter_all(a);
	archive_read_support_format_cpio(a);
	assert_int_equal(archive_read_open_filename(a, img, 4096), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		char line[512], data[64] = { 0 };
		archive_read_data(a, data, sizeof(data) - 1);
		for (char *p = data; *p; p++)
			if (*p == '\n')
				*p = '|';
		snprintf(line, sizeof(line), "%s %o %lld:%lld %s%s\n", archive_entry_pathname(e),
			 archive_entry_mode(e), (long long)archive_entry_uid(e), (long long)archive_entry_gid(e),
			 archive_entry_symlink(e) ? archive_entry_symlink(e) : "", data);
		strcat(out, line);
	}
	archive_read_free(a);
	return out;
}

static int part_key(void *ctx, struct digest *d, struct perr *err)
{
	(void)err;
	digest_update(d, ctx, strlen(ctx));
	return 0;
}

static int part_add(void *ctx, const struct base_trees *t, struct layer *l, struct perr *err)
{
	const char *tree = base_tree(t, "tool", err);
	if (!tree)
		return -1;
	char *src = path_join(tree, "usr/bin/tool");
	int r = layer_add_file(l, "/usr/share/images/tool.tar", src, 0644, 0, 0, "part", err);
	free(src);
	if (r >= 0)
		r = layer_add_blob(l, "/usr/share/images/version", ctx, strlen(ctx), 0644, 0, 0, "part", err);
	return r;
}

static void builds_from_the_list(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct base_opts o = { .root = root, .cache = cache, .flavour = "cloud", .compression = COMPRESS_GZIP,
			       .mtime = 1700000000 };
	struct base_result b = { 0 };
	assert_int_equal(base_get(&o, &lock, &b, &e), 0);
	assert_false(b.cached);
	assert_int_equal(file_size(b.vmlinuz), 6);
	assert_string_equal(nodecfg_get(&b.info, "kernel.package"), "kern");
	char *s = list(b.img);
	const char *want = "bin 40755 0:0 \n"
			   "bin/sh 120777 0:0 tool\n"
			   "bin/tool 100700 0:0 #!/bin/sh|\n"
			   "data 40700 52034:52035 \n"
			   "etc 40755 0:0 \n"
			   "etc/ca.crt 100644 0:0 A|B|\n"; /* a newline added after A */
	assert_memory_equal(s, want, strlen(want));
	assert_non_null(strstr(s, "init 100755 0:0 #!/bin/sh|echo init|\n"));
	assert_non_null(strstr(s, "sbin/ctl 104750 0:990 #!/bin/sh|echo init|\n")); /* setuid, one group */
	assert_non_null(strstr(s, "tmp 41777 0:0 \n"));
	assert_non_null(strstr(s, "usr/bin/tool 100755 0:0 #!/bin/sh|\n"));
	assert_non_null(strstr(s, "usr/bin/tool2 100755 0:0 #!/bin/sh|\n"));
	free(s);
	/* again: from the cache, same key */
	struct base_result b2 = { 0 };
	assert_int_equal(base_get(&o, &lock, &b2, &e), 0);
	assert_true(b2.cached);
	assert_string_equal(b.key, b2.key);
	base_result_free(&b2);
	/* a generated part changes the key and adds its files */
	struct base_part part = { "images", part_key, part_add, "v1" };
	o.parts = &part;
	o.nparts = 1;
	assert_int_equal(base_get(&o, &lock, &b2, &e), 0);
	assert_false(b2.cached);
	assert_string_not_equal(b.key, b2.key);
	s = list(b2.img);
	assert_non_null(strstr(s, "usr/share/images/tool.tar 100644 0:0 #!/bin/sh|\n"));
	assert_non_null(strstr(s, "usr/share/images/version 100644 0:0 v1\n"));
	free(s);
	base_result_free(&b2);
	part.ctx = "v2";
	assert_int_equal(base_get(&o, &lock, &b2, &e), 0);
	assert_false(b2.cached);
	base_result_free(&b2);
	base_result_free(&b);
}

static void errors_name_the_line(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct base_opts o = { .root = root, .cache = cache, .flavour = "cloud", .compression = COMPRESS_NONE };
	struct base_result b = { 0 };
	put("configs/base.list", "kernel cloud kern\nfile nosuch /x\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "component nosuch is not in"));
	perr_clear(&e);
	put("configs/base.list", "kernel cloud kern\nfile tool /usr/bin/none\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "/usr/bin/none: not found"));
	perr_clear(&e);
	put("configs/base.list", "kernel cloud kern\nlink /bin/a b\nlink /bin/a c\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "conflicts"));
	perr_clear(&e);
	put("configs/base.list", "kernel generic kern\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "no kernel for flavour 'cloud'"));
	perr_clear(&e);
	put("configs/base.list", "kernel cloud kern\nproduct build/missing /x 0755\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "missing (run `make`)"));
	perr_clear(&e);
	/* a glob without a directory: an error at its line, no temporary left */
	put("configs/base.list", "kernel cloud kern\nfile tool tool*\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "tool*: expected an absolute path"));
	perr_clear(&e);
	char *bases = path_join(cache, "base");
	DIR *d = opendir(bases);
	for (struct dirent *de; d && (de = readdir(d));)
		if (strstr(de->d_name, ".tmp-"))
			fail_msg("temporary left: %s", de->d_name);
	if (d)
		closedir(d);
	free(bases);
	put("configs/base.list", "kernel cloud kern\nconcat tool *.crt /etc/ca.crt 0644\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "*.crt: expected an absolute path"));
	perr_clear(&e);
	put("configs/base.list", "kernel cloud kern\nfrobnicate /x\n");
	assert_true(base_get(&o, &lock, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "unknown directive 'frobnicate'"));
	perr_clear(&e);
}

/* The text of member name of the tar at path (a new string), NULL if absent. */
static char *tar_member(const char *path, const char *suffix)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *out = NULL;
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096), ARCHIVE_OK);
	while (!out && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(e);
		size_t nl = strlen(n), sl = strlen(suffix);
		if (nl < sl || strcmp(n + nl - sl, suffix) || !strcmp(n, "manifest.json") != !strcmp(suffix, "manifest.json"))
			continue;
		out = calloc(1, (size_t)archive_entry_size(e) + 1);
		archive_read_data(a, out, (size_t)archive_entry_size(e));
	}
	archive_read_free(a);
	return out;
}

/* An image list alone (no base.list, no kernel): its image, with the
 * entrypoint and cmd lines, written as a docker-save tarball. */
static void image_lists_alone(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct base_opts o = { .root = root, .cache = cache, .flavour = "generic", .mtime = 1700000000 };
	struct listfile lf;
	const char *text = "image test/tool:1\nfile tool /usr/bin/tool2 /bin/tool 0755\n"
			   "product build/init /init 0755\nentrypoint /bin/tool -x\ncmd serve --port 80\n";
	char *out = path_join(dir, "img.tar");
	assert_int_equal(listfile_parse("t.list", text, strlen(text), &lf, &e), 0);
	assert_int_equal(base_list_images(&o, &lock, &lf, 1, out, &e), 0);
	char *manifest = tar_member(out, "manifest.json");
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"test/tool:1\""));
	char *config = tar_member(out, ".json");
	assert_non_null(config);
	assert_non_null(strstr(config, "\"Entrypoint\":[\"/bin/tool\",\"-x\"]"));
	assert_non_null(strstr(config, "\"Cmd\":[\"serve\",\"--port\",\"80\"]"));
	free(manifest);
	free(config);
	listfile_free(&lf);
	/* twice, or with nothing after it: an error at its line */
	text = "image test/tool:1\ncmd a\ncmd b\n";
	assert_int_equal(listfile_parse("t.list", text, strlen(text), &lf, &e), 0);
	assert_true(base_list_images(&o, &lock, &lf, 1, out, &e) < 0);
	assert_int_equal(e.line, 3);
	assert_non_null(strstr(e.msg, "cmd: given twice"));
	perr_clear(&e);
	listfile_free(&lf);
	text = "image test/tool:1\nentrypoint\n";
	assert_int_equal(listfile_parse("t.list", text, strlen(text), &lf, &e), 0);
	assert_true(base_list_images(&o, &lock, &lf, 1, out, &e) < 0);
	assert_non_null(strstr(e.msg, "entrypoint: expected ARG..."));
	perr_clear(&e);
	listfile_free(&lf);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builds_from_the_list),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(image_lists_alone),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
