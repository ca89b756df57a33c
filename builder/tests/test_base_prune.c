/* Old bases leave the cache (image/base_prune.h): the base in use and the
 * one used last before it stay, and so does one a concurrent build used
 * lately; older ones go, temporaries are left to their own sweep. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "image/base_prune.h"
#include "testutil.h"

SCRATCH_GROUP("base-prune")

/* bases/<key> with a 1000-byte base.img, last used ago seconds ago. */
static void base_at(const char *bases, const char *key, long long ago)
{
	char *d = path_join(bases, key), *img = d ? path_join(d, "base.img") : NULL;
	static char data[1000];
	struct perr err = PERR_INIT;
	assert_non_null(img);
	assert_int_equal(mkdir_p(d, 0755, &err), 0);
	assert_int_equal(write_file(img, data, sizeof data, 0644, &err), 0);
	struct timespec t[2] = { { time(NULL) - ago, 0 }, { time(NULL) - ago, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, d, t, 0), 0);
	free(img);
	free(d);
}

static bool there(const char *bases, const char *key)
{
	char *d = path_join(bases, key);
	bool yes = access(d, F_OK) == 0;
	free(d);
	return yes;
}

static void old_bases_are_removed(void **state)
{
	(void)state;
	char *bases = path_join(dir, "base");
	unsigned long long freed;
	base_at(bases, "aaaa", 5 * 3600); /* in use now, whatever its time */
	base_at(bases, "bbbb", 2 * 3600);
	base_at(bases, "cccc", 3 * 3600);
	base_at(bases, "dddd", 4 * 3600);
	base_at(bases, ".base.tmp-1-xxxxxx", 5 * 3600);
	assert_int_equal(base_prune(bases, "aaaa", &freed), 2);
	assert_int_equal(freed, 2000);
	assert_true(there(bases, "aaaa"));
	assert_true(there(bases, "bbbb")); /* the one before */
	assert_false(there(bases, "cccc"));
	assert_false(there(bases, "dddd"));
	assert_true(there(bases, ".base.tmp-1-xxxxxx"));

	/* another build's base, used a moment ago, stays too */
	base_at(bases, "eeee", 600);
	base_at(bases, "ffff", 1200);
	assert_int_equal(base_prune(bases, "aaaa", &freed), 1);
	assert_true(there(bases, "eeee"));
	assert_true(there(bases, "ffff"));
	assert_false(there(bases, "bbbb"));

	/* using a base marks it: it is then the newest */
	base_mark_used(bases, "aaaa");
	struct stat st;
	char *a = path_join(bases, "aaaa");
	assert_int_equal(stat(a, &st), 0);
	assert_true(time(NULL) - st.st_mtime < 60);
	free(a);
	free(bases);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(old_bases_are_removed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
