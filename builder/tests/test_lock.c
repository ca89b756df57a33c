/* components.lock and the line-oriented list files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "components/listfile.h"
#include "components/lock.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void parses_deb_and_url(void **state)
{
	(void)state;
	const char *text = "# comment\n\ndeb busybox-static 1:1.35.0-4 amd64 " SHA "\n"
			   "  url mytool file:///srv/mytool.deb " SHA "\n";
	struct lock l;
	struct perr e = PERR_INIT;
	assert_int_equal(lock_parse("lock", text, strlen(text), &l, &e), 0);
	assert_int_equal(l.n, 2);
	const struct component *c = lock_find(&l, "busybox-static");
	assert_non_null(c);
	assert_int_equal(c->kind, COMPONENT_DEB);
	assert_string_equal(c->version, "1:1.35.0-4");
	assert_int_equal(c->line, 3);
	char *p = component_cache_path(c, "/cache");
	assert_string_equal(p, "/cache/debs/busybox-static_1%3a1.35.0-4_amd64.deb");
	free(p);
	c = lock_find(&l, "mytool");
	assert_int_equal(c->kind, COMPONENT_URL);
	assert_string_equal(c->url, "file:///srv/mytool.deb");
	p = component_cache_path(c, "/cache");
	assert_string_equal(p, "/cache/debs/mytool_" SHA ".deb");
	free(p);
	assert_null(lock_find(&l, "nope"));
	lock_free(&l);
}

static void expect_error(const char *text, int line, const char *needle)
{
	struct lock l;
	struct perr e = PERR_INIT;
	assert_true(lock_parse("lock", text, strlen(text), &l, &e) < 0);
	assert_int_equal(e.line, line);
	assert_non_null(strstr(e.msg, needle));
	perr_clear(&e);
}

static void rejects_bad_lines(void **state)
{
	(void)state;
	expect_error("tarball x 1 amd64 " SHA "\n", 1, "unknown component kind");
	expect_error("deb x 1 amd64\n", 1, "expected 5 fields");
	expect_error("deb x 1 amd64 ABC\n", 1, "64 lower-case hex");
	expect_error("deb x 1 amd64 " SHA "\ndeb x 2 amd64 " SHA "\n", 2, "listed twice");
	expect_error("deb ../x 1 amd64 " SHA "\n", 1, "bad package name");
	expect_error("deb x 1/2 amd64 " SHA "\n", 1, "'/'");
}

static void listfile_splits_fields(void **state)
{
	(void)state;
	const char *text = "a b\tc\n# skip\n   \n  d\r\n";
	struct listfile l;
	struct perr e = PERR_INIT;
	assert_int_equal(listfile_parse("f", text, strlen(text), &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.lines[0].ntok, 3);
	assert_string_equal(l.lines[0].tok[2], "c");
	assert_int_equal(l.lines[1].lineno, 4);
	assert_string_equal(l.lines[1].tok[0], "d");
	assert_int_equal(l.textlen, strlen(text));
	listfile_free(&l);
	assert_true(listfile_parse("f", "a\0b\n", 4, &l, &e) < 0);
	perr_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_deb_and_url),
		cmocka_unit_test(rejects_bad_lines),
		cmocka_unit_test(listfile_splits_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
