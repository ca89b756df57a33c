/* A snapshot beside the loop (snapshot_job.h): its result comes back
 * through the pipe; one that hangs is killed and reaped; one at a time. */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "snapshot_job.h"

static void quick(void *arg, struct snapshot_result *res)
{
	(void)arg;
	res->r = 0;
	res->size = 4096;
	snprintf(res->name, sizeof(res->name), "etcd-snapshot_n_20261130T130509Z");
}

static void hangs(void *arg, struct snapshot_result *res)
{
	(void)arg;
	(void)res;
	for (;;)
		pause();
}

static void result_comes_back(void **state)
{
	struct snapshot_job j = { 0, -1 };
	struct snapshot_result res;
	struct perr err = PERR_INIT;
	int r = 0;

	(void)state;
	assert_int_equal(snapshot_job_start(&j, quick, NULL, &err), 0);
	assert_true(snapshot_job_running(&j));
	assert_int_equal(snapshot_job_start(&j, quick, NULL, &err), -EBUSY);
	perr_clear(&err);
	for (int i = 0; i < 500 && (r = snapshot_job_poll(&j, &res)) == 0; i++)
		usleep(10000);
	assert_int_equal(r, 1);
	assert_int_equal(res.r, 0);
	assert_true(res.size == 4096);
	assert_string_equal(res.name, "etcd-snapshot_n_20261130T130509Z");
	assert_false(snapshot_job_running(&j));
}

static void a_hung_one_is_killed(void **state)
{
	struct snapshot_job j = { 0, -1 };
	struct snapshot_result res;
	struct perr err = PERR_INIT;

	(void)state;
	assert_int_equal(snapshot_job_start(&j, hangs, NULL, &err), 0);
	usleep(50000);
	assert_int_equal(snapshot_job_poll(&j, &res), 0);
	snapshot_job_kill(&j);
	assert_false(snapshot_job_running(&j));
	assert_int_equal(snapshot_job_poll(&j, &res), 0);
	/* and the next one starts */
	assert_int_equal(snapshot_job_start(&j, quick, NULL, &err), 0);
	snapshot_job_kill(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(result_comes_back),
		cmocka_unit_test(a_hung_one_is_killed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
