#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "strv.h"

static void adds_sorts_and_steals(void **state)
{
	(void)state;
	struct strv s = STRV_INIT;
	strv_add(&s, "b");
	strv_addf(&s, "%s-%d", "a", 1);
	strv_add_owned(&s, strdup("c"));
	assert_int_equal(s.n, 3);
	assert_null(s.v[3]);
	assert_true(strv_contains(&s, "a-1"));
	assert_false(strv_contains(&s, "a"));
	strv_sort(&s);
	assert_string_equal(s.v[0], "a-1");
	assert_string_equal(s.v[2], "c");
	char **v = strv_steal(&s);
	assert_null(s.v);
	assert_int_equal(s.n, 0);
	assert_string_equal(v[1], "b");
	assert_null(v[3]);
	strv_free(v);
}

static void empty_steal_is_an_empty_array(void **state)
{
	(void)state;
	struct strv s = STRV_INIT;
	char **v = strv_steal(&s);
	assert_non_null(v);
	assert_null(v[0]);
	strv_free(v);
	strv_free(NULL);
}

static void failed_add_is_remembered(void **state)
{
	(void)state;
	struct strv s = STRV_INIT;
	strv_add(&s, "a");
	strv_add_owned(&s, NULL); /* what a failed strdup hands over */
	strv_add(&s, "b");
	assert_true(s.oom);
	assert_int_equal(s.n, 1);
	assert_null(strv_steal(&s));
	assert_null(s.v);
}

static void dir_listing_is_sorted_and_filtered(void **state)
{
	(void)state;
	char dir[] = "/tmp/strv-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const char *const names[] = { "b.yml", "a.yml", "10-x.yml", ".hidden.yml", ".yml", "c.txt" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[128];
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fclose(f);
	}
	char **v = NULL;
	size_t n = 0;
	struct perr e = PERR_INIT;
	assert_int_equal(dir_list_sorted(dir, ".yml", &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "10-x.yml");
	assert_string_equal(v[1], "a.yml");
	assert_string_equal(v[2], "b.yml");
	assert_null(v[3]);
	strv_free(v);
	struct perr e2 = PERR_INIT;
	assert_int_equal(rm_rf(dir, &e2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adds_sorts_and_steals),
		cmocka_unit_test(empty_steal_is_an_empty_array),
		cmocka_unit_test(failed_add_is_remembered),
		cmocka_unit_test(dir_listing_is_sorted_and_filtered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
