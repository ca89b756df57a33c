/* fsutil's whole-file writes and sweeps: a temporary is a new file under a
 * name nobody can guess, so a symlink planted where the old code put its
 * temporary ("<path>.tmp.<pid>") is never followed; a sweep removes a
 * killed writer's temporary but never one a live writer holds locked. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"

static char dir[] = "/tmp/paddock-test-fsutil.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf_quiet(dir);
	return 0;
}

static char *at(const char *name)
{
	char *p = path_join(dir, name);
	assert_non_null(p);
	return p;
}

static char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void write_file_follows_no_planted_symlink(void **state)
{
	(void)state;
	char *victim = at("victim"), *path = at("out"), *planted = NULL;
	struct perr err = PERR_INIT;
	assert_int_equal(write_file(victim, "precious\n", 9, 0600, &err), 0);
	/* where the old write_file, copy_file and link_or_copy put their temporary */
	assert_true(asprintf(&planted, "%s.tmp.%ld", path, (long)getpid()) > 0);
	assert_int_equal(symlink(victim, planted), 0);

	assert_int_equal(write_file(path, "new\n", 4, 0640, &err), 0);
	assert_string_equal(slurp(victim), "precious\n");
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_string_equal(slurp(path), "new\n");

	assert_int_equal(copy_file(victim, path, 0600, &err), 0);
	assert_string_equal(slurp(victim), "precious\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(link_or_copy(victim, path, 0600, &err), 0);
	assert_string_equal(slurp(path), "precious\n");
	/* the link still only points at victim: nothing wrote through it */
	assert_int_equal(lstat(planted, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* no temporary is left beside path */
	for (int i = 0; i < 3; i++)
		assert_int_equal(write_file(path, "x", 1, 0600, &err), 0);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ls -A %s | grep -q '^out\\.tmp-'", dir);
	assert_int_not_equal(system(cmd), 0);
	free(planted);
	free(victim);
	free(path);
}

static void make_old(const char *path)
{
	struct timespec t[2] = { { time(NULL) - TMPDIR_STALE_SECONDS - 60, 0 },
				 { time(NULL) - TMPDIR_STALE_SECONDS - 60, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW), 0);
}

static void sweep_removes_only_old_unlocked_temporaries(void **state)
{
	(void)state;
	char *d = at("debs");
	struct perr err = PERR_INIT;
	assert_int_equal(mkdir_p(d, 0755, &err), 0);
	char *killed = at("debs/a.deb.tmp-AAAAAA"), *live = at("debs/b.deb.tmp-BBBBBB"),
	     *fresh = at("debs/c.deb.tmp-CCCCCC"), *keep = at("debs/a.deb");
	assert_int_equal(write_file(killed, "x", 1, 0644, &err), 0);
	assert_int_equal(write_file(live, "x", 1, 0644, &err), 0);
	assert_int_equal(write_file(fresh, "x", 1, 0644, &err), 0);
	assert_int_equal(write_file(keep, "x", 1, 0644, &err), 0);
	make_old(killed);
	make_old(live);
	make_old(keep);
	/* a fetch still at work holds its temporary locked */
	int fd = open(live, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);

	assert_int_equal(sweep_stale_files(d, ".tmp-"), 1);
	assert_int_equal(access(killed, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(access(fresh, F_OK), 0);
	assert_int_equal(access(keep, F_OK), 0);
	close(fd);
	/* once it is let go (and old), the next sweep takes it */
	assert_int_equal(sweep_stale_files(d, ".tmp-"), 1);
	assert_int_equal(access(live, F_OK), -1);
	free(killed);
	free(live);
	free(fresh);
	free(keep);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_file_follows_no_planted_symlink),
		cmocka_unit_test(sweep_removes_only_old_unlocked_temporaries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
