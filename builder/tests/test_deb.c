/* .deb extraction without dpkg, url fetching with file://, the tree cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

#include "components/component.h"
#include "components/deb.h"
#include "components/digest.h"
#include "components/fetch.h"
#include "fsutil.h"
#include "components/listfile.h"
#include "progress.h"
#include "testutil.h"

SCRATCH_GROUP("deb")

/* A tar.xz of (name, type, content) triples; type 'f' file, 'l' symlink,
 * 'd' directory, 'h' hard link (content: its target, as tar writes it). */
static struct mem make_tar(const char *const *spec)
{
	struct mem m = { 0 };
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_xz(a);
	archive_write_open(a, &m, NULL, mem_write, NULL);
	for (size_t i = 0; spec[i]; i += 3) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, spec[i]);
		if (spec[i + 1][0] == 'l') {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, spec[i + 2]);
		} else if (spec[i + 1][0] == 'h') {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0755);
			archive_entry_set_hardlink(e, spec[i + 2]);
			archive_entry_set_size(e, 0);
		} else if (spec[i + 1][0] == 'd') {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
		} else {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0755);
			archive_entry_set_size(e, (la_int64_t)strlen(spec[i + 2]));
		}
		archive_write_header(a, e);
		if (spec[i + 1][0] == 'f')
			archive_write_data(a, spec[i + 2], strlen(spec[i + 2]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return m;
}

static void add_member(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_write_header(a, e);
	archive_write_data(a, data, len);
	archive_entry_free(e);
}

static char *make_deb(const char *name, const char *const *spec)
{
	char *path = path_join(dir, name);
	struct mem data = make_tar(spec), m = { 0 };
	struct archive *a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	archive_write_open(a, &m, NULL, mem_write, NULL);
	add_member(a, "debian-binary", "2.0\n", 4);
	add_member(a, "control.tar.xz", data.buf, 0);
	add_member(a, "data.tar.xz", data.buf, data.len);
	archive_write_close(a);
	archive_write_free(a);
	struct perr e = PERR_INIT;
	assert_int_equal(write_file(path, m.buf, m.len, 0644, &e), 0);
	free(m.buf);
	free(data.buf);
	return path;
}

static void extracts_files_and_links(void **state)
{
	(void)state;
	const char *spec[] = { "./usr/", "d", "", "./usr/bin/", "d", "", "./usr/bin/tool", "f", "#!tool\n",
			       "./usr/bin/alias", "l", "tool", "./lib64/ld.so", "l", "/lib/ld.so", NULL };
	char *deb = make_deb("good.deb", spec), *out = path_join(dir, "good");
	struct perr e = PERR_INIT;
	mkdir(out, 0755);
	assert_int_equal(deb_extract(deb, out, &e), 0);
	char *p = path_join(out, "usr/bin/tool"), *buf;
	size_t len;
	assert_int_equal(read_file(p, 100, &buf, &len, &e), 0);
	assert_string_equal(buf, "#!tool\n");
	free(buf);
	free(p);
	char target[64] = { 0 };
	p = path_join(out, "lib64/ld.so");
	assert_true(readlink(p, target, sizeof(target) - 1) > 0);
	assert_string_equal(target, "/lib/ld.so"); /* kept as written, resolved later inside the image */
	free(p);
	free(deb);
	free(out);
}

/* openntpd ships ntpd as a hard link to ntpctl: both must be in the tree. */
static void extracts_hard_links(void **state)
{
	(void)state;
	const char *spec[] = { "./usr/", "d", "", "./usr/sbin/", "d", "", "./usr/sbin/ntpctl", "f", "#!ntp\n",
			       "./usr/sbin/ntpd", "h", "./usr/sbin/ntpctl", "./usr/sbin/openntpd", "l", "ntpd",
			       NULL };
	char *deb = make_deb("hard.deb", spec), *out = path_join(dir, "hard");
	struct perr e = PERR_INIT;
	mkdir(out, 0755);
	assert_int_equal(deb_extract(deb, out, &e), 0);
	const char *names[] = { "usr/sbin/ntpctl", "usr/sbin/ntpd", "usr/sbin/openntpd" };
	struct stat st[3];
	for (size_t i = 0; i < 3; i++) {
		char *p = path_join(out, names[i]), *buf;
		size_t len;
		assert_int_equal(read_file(p, 100, &buf, &len, &e), 0);
		assert_string_equal(buf, "#!ntp\n");
		assert_int_equal(stat(p, &st[i]), 0);
		assert_true(S_ISREG(st[i].st_mode));
		assert_int_equal(st[i].st_mode & 07777, 0755);
		free(buf);
		free(p);
	}
	assert_true(st[0].st_ino == st[1].st_ino);
	free(deb);
	free(out);
}

/* Hard links may only point at files of the package itself. */
static void refuses_escaping_hard_links(void **state)
{
	(void)state;
	const char *up[] = { "./x", "h", "../outside", NULL };
	const char *abs[] = { "./x", "h", "/etc/passwd", NULL };
	const char *missing[] = { "./x", "h", "./not-there", NULL };
	const char *const *specs[] = { up, abs, missing };
	for (size_t i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "hl%zu", i);
		char *deb = make_deb("hl.deb", specs[i]), *out = path_join(dir, name), *x;
		struct perr e = PERR_INIT;
		mkdir(out, 0755);
		assert_true(deb_extract(deb, out, &e) < 0);
		if (i < 2)
			assert_non_null(strstr(e.msg, "leaves the package tree"));
		else
			assert_non_null(strstr(e.msg, "not in the package"));
		perr_clear(&e);
		x = path_join(out, "x");
		assert_int_equal(access(x, F_OK), -1);
		free(x);
		free(deb);
		free(out);
	}
}

static void refuses_escaping_names(void **state)
{
	(void)state;
	const char *spec[] = { "../evil", "f", "x", NULL };
	char *deb = make_deb("evil.deb", spec), *out = path_join(dir, "evil");
	struct perr e = PERR_INIT;
	mkdir(out, 0755);
	assert_true(deb_extract(deb, out, &e) < 0);
	perr_clear(&e);
	char *p = path_join(dir, "evil");
	struct stat st;
	assert_int_equal(stat(p, &st), 0); /* only the directory we made */
	assert_true(S_ISDIR(st.st_mode));
	free(p);
	free(deb);
	free(out);
}

static void rejects_non_debs(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char *p = path_join(dir, "junk.deb");
	assert_int_equal(write_file(p, "this is not an archive at all", 29, 0644, &e), 0);
	assert_true(deb_extract(p, dir, &e) < 0);
	assert_non_null(strstr(e.msg, "not a Debian package"));
	perr_clear(&e);
	free(p);
	p = path_join(dir, "missing.deb");
	assert_true(deb_extract(p, dir, &e) < 0);
	perr_clear(&e);
	free(p);
}

static void fetches_file_urls(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char *src = path_join(dir, "artifact"), *dst = path_join(dir, "fetched"), *url = NULL, sha[65];
	assert_int_equal(write_file(src, "payload\n", 8, 0644, &e), 0);
	digest_buf("payload\n", 8, sha);
	assert_true(asprintf(&url, "file://%s", src) > 0);
	assert_int_equal(fetch_url(url, sha, dst, &e), 0);
	assert_int_equal(file_size(dst), 8);
	unlink(dst);
	const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_true(fetch_url(url, wrong, dst, &e) < 0);
	assert_non_null(strstr(e.msg, "sha256 mismatch: expected 0000"));
	assert_non_null(strstr(e.msg, sha));
	assert_int_equal(access(dst, F_OK), -1);
	perr_clear(&e);
	free(url);
	assert_true(asprintf(&url, "file://%s/none", dir) > 0);
	assert_true(fetch_url(url, sha, dst, &e) < 0);
	perr_clear(&e);
	free(url);
	free(src);
	free(dst);
}

/* A TCP port on 127.0.0.1 that takes connections (the kernel completes
 * them) and never answers; *ret_fd keeps it open. */
static int stalling_server(int *ret_fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*ret_fd = fd;
	return ntohs(a.sin_port);
}

static void fetch_gives_up_on_a_stalled_server(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	int fd, port = stalling_server(&fd);
	char *url = NULL, *plain = NULL, *dst = path_join(dir, "stalled.deb");
	assert_true(asprintf(&url, "http://paddock:s3cret@127.0.0.1:%d/x.deb", port) > 0);
	assert_true(asprintf(&plain, "http://127.0.0.1:%d/x.deb", port) > 0);
	setenv("PADDOCK_FETCH_TIMEOUT", "2", 1);
	double t0 = progress_now();
	assert_true(fetch_url(url, "0000000000000000000000000000000000000000000000000000000000000000", dst, &e) < 0);
	double took = progress_now() - t0;
	unsetenv("PADDOCK_FETCH_TIMEOUT");
	if (took > 10)
		fail_msg("gave up after %.1f s, wanted about 2", took);
	assert_non_null(strstr(e.msg, plain));
	assert_non_null(strstr(e.msg, "given up"));
	assert_null(strstr(e.msg, "s3cret"));
	assert_null(strstr(e.msg, "paddock:"));
	assert_int_equal(e.code, -ETIMEDOUT);
	perr_clear(&e);
	assert_int_equal(access(dst, F_OK), -1);
	close(fd);
	/* refused: the other message, without the credentials too */
	assert_true(fetch_url(url, "0000000000000000000000000000000000000000000000000000000000000000", dst, &e) < 0);
	assert_non_null(strstr(e.msg, plain));
	assert_null(strstr(e.msg, "s3cret"));
	perr_clear(&e);
	free(url);
	free(plain);
	free(dst);
}

static void urls_are_shown_without_credentials(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "https://u:p@h.example:8443/a/b.deb?x=1", "https://h.example:8443/a/b.deb?x=1" },
		{ "http://user@h/x", "http://h/x" },
		{ "file:///srv/x.deb", "file:///srv/x.deb" },
		/* nothing libcurl reads as a URL: what stands before '@' is cut */
		{ "ht tp://u:p@h/x", "ht tp://h/x" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *s = fetch_url_shown(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void url_component_lands_in_cache(void **state)
{
	(void)state;
	const char *spec[] = { "./opt/x", "f", "x\n", NULL };
	char *deb = make_deb("tool.deb", spec), *cache = path_join(dir, "cache"), sha[65], *tree = NULL;
	struct perr e = PERR_INIT;
	assert_int_equal(digest_file(deb, sha, &e), 0);
	struct component c = { .kind = COMPONENT_URL, .name = "tool", .sha256 = sha };
	assert_true(asprintf(&c.url, "file://%s", deb) > 0);
	int fresh = 0;
	assert_int_equal(component_tree(&c, cache, &tree, &fresh, &e), 0);
	assert_int_equal(fresh, 1);
	char *x = path_join(tree, "opt/x");
	assert_int_equal(file_size(x), 2);
	free(x);
	free(tree);
	assert_int_equal(component_tree(&c, cache, &tree, &fresh, &e), 0);
	assert_int_equal(fresh, 0);
	free(tree);
	free(c.url);
	/* a tree left by an older reader under the bare hash is not reused */
	char *old = NULL;
	assert_true(asprintf(&old, "%s/trees/%s", cache, sha) > 0);
	assert_int_equal(mkdir(old, 0755), 0);
	assert_true(asprintf(&c.url, "file://%s", deb) > 0);
	assert_int_equal(component_tree(&c, cache, &tree, &fresh, &e), 0);
	assert_int_equal(fresh, 0);
	assert_string_not_equal(tree, old);
	x = path_join(tree, "opt/x");
	assert_int_equal(file_size(x), 2);
	free(x);
	free(tree);
	free(old);
	free(c.url);
	free(cache);
	free(deb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extracts_files_and_links),
		cmocka_unit_test(extracts_hard_links),
		cmocka_unit_test(refuses_escaping_names),
		cmocka_unit_test(refuses_escaping_hard_links),
		cmocka_unit_test(rejects_non_debs),
		cmocka_unit_test(fetches_file_urls),
		cmocka_unit_test(fetch_gives_up_on_a_stalled_server),
		cmocka_unit_test(urls_are_shown_without_credentials),
		cmocka_unit_test(url_component_lands_in_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
