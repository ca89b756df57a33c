/* etcd snapshots' pure part: names and their times, when the next is due,
 * which the retention prunes (only snapshots, oldest first), node.conf's
 * keys, etcdctl's status line, and a full disk said as such. */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "disk_full.h"
#include "etcd_oneshot.h"
#include "nodecfg.h"
#include "prov_status.h"
#include "snapshot.h"

/* 2026-11-30 13:05:09 UTC */
#define T0 ((time_t)1796043909)

static void names_carry_node_and_utc_time(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(snapshot_name("node1", T0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "etcd-snapshot_node1_20261130T130509Z");
	assert_true(snapshot_name_time(buf) == T0);
	/* a node name with '_' still parses: the time is the last field */
	assert_int_equal(snapshot_name("a_b", T0 + 60, buf, sizeof(buf)), 0);
	assert_true(snapshot_name_time(buf) == T0 + 60);
	assert_int_equal(snapshot_name("node1", T0, buf, 20), -ENAMETOOLONG);
	/* other files are no snapshots of ours */
	assert_true(snapshot_name_time("etcd-snapshot_node1_20261130T130509Z.part") == -1);
	assert_true(snapshot_name_time(".tmp-etcd-snapshot_node1_20261130T130509Z") == -1);
	assert_true(snapshot_name_time("etcd-snapshot_node1_2026113XT130509Z") == -1);
	assert_true(snapshot_name_time("etcd-snapshot__20261130T130509Z") == -1);
	assert_true(snapshot_name_time("c-abc-rs-xyz_2020-01-01T00:00:00Z") == -1);
	assert_true(snapshot_name_time("mine.db") == -1);
}

static void next_due(void **state)
{
	(void)state;
	assert_true(snapshot_next_due(-1, 60, T0) == T0);
	assert_true(snapshot_next_due(T0 - 10, 60, T0) == T0 + 50);
	assert_true(snapshot_next_due(T0 - 600, 60, T0) == T0 - 540); /* overdue: now */
	assert_true(snapshot_next_due(T0 + 30, 60, T0) == T0 + 90);
	/* from further in the future than an interval: the clock moved back */
	assert_true(snapshot_next_due(T0 + 3600, 60, T0) == T0);
}

static void prunes_oldest_snapshots_only(void **state)
{
	char *names[] = {
		"etcd-snapshot_n1_20261130T130300Z", "mine.db", "etcd-snapshot_n1_20261130T130100Z",
		"tmp-etcd-snapshot_n1_20261130T130000Z", "etcd-snapshot_n1_20261130T130400Z",
		"etcd-snapshot_n1_20261130T130200Z",
	};
	size_t *drop = NULL, n = 0;
	time_t newest;

	(void)state;
	assert_int_equal(snapshot_prune_list(names, 6, 2, &drop, &n, &newest), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[drop[0]], "etcd-snapshot_n1_20261130T130100Z");
	assert_string_equal(names[drop[1]], "etcd-snapshot_n1_20261130T130200Z");
	assert_true(newest == snapshot_name_time("etcd-snapshot_n1_20261130T130400Z"));
	free(drop);
	assert_int_equal(snapshot_prune_list(names, 6, 4, &drop, &n, &newest), 0);
	assert_int_equal(n, 0);
	assert_null(drop);
	assert_int_equal(snapshot_prune_list(names + 1, 1, 1, &drop, &n, &newest), 0);
	assert_int_equal(n, 0);
	assert_true(newest == -1);
	assert_int_equal(snapshot_prune_list(NULL, 0, 1, &drop, &n, &newest), 0);
	assert_int_equal(n, 0);
}

static void policy_from_node_conf(void **state)
{
	static const char good[] = "etcd.snapshot.interval_secs=20\netcd.snapshot.retention=2\netcd.restore=s1\n";
	static const char *const bad[] = {
		"etcd.snapshot.interval_secs=0\n", "etcd.snapshot.interval_secs=12h\n",
		"etcd.snapshot.retention=-1\n", "etcd.restore=../x\n", "etcd.restore=.tmp-x\n",
	};
	struct nodecfg c = { 0 };
	struct snapshot_policy p;
	struct perr err = PERR_INIT;

	(void)state;
	assert_int_equal(nodecfg_parse("t", good, strlen(good), &c, &err), 0);
	assert_int_equal(snapshot_policy_read(&c, &p, &err), 0);
	assert_int_equal(p.interval_secs, 20);
	assert_int_equal(p.retention, 2);
	assert_string_equal(p.restore, "s1");
	snapshot_policy_free(&p);
	nodecfg_free(&c);
	/* none: snapshots off, nothing to restore */
	assert_int_equal(snapshot_policy_read(&c, &p, &err), 0);
	assert_int_equal(p.interval_secs, 0);
	assert_null(p.restore);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(nodecfg_parse("t", bad[i], strlen(bad[i]), &c, &err), 0);
		assert_int_equal(snapshot_policy_read(&c, &p, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "etcd."));
		perr_clear(&err);
		snapshot_policy_free(&p);
		nodecfg_free(&c);
	}
}

static void parses_etcdctl_status(void **state)
{
	struct snapshot_status s;
	struct perr err = PERR_INIT;

	(void)state;
	assert_int_equal(snapshot_status_parse("{\"hash\":3700775218,\"revision\":12,\"totalKey\":19,"
					       "\"totalSize\":20480}\n", &s, &err), 0);
	assert_true(s.hash == 3700775218ULL);
	assert_true(s.revision == 12 && s.total_keys == 19 && s.total_size == 20480);
	/* a log line before it */
	assert_int_equal(snapshot_status_parse("2026-11-30 13:05:09 warning: x\n{\"level\":\"info\","
					       "\"msg\":\"saved\"}\n{\"hash\":1,\"revision\":2,"
					       "\"totalKey\":3,\"totalSize\":4}", &s, &err), 0);
	assert_true(s.total_size == 4);
	assert_int_equal(snapshot_status_parse("Error: snapshot file integrity check failed. 2 errors "
					       "found.\n", &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no status"));
	perr_clear(&err);
	assert_int_equal(snapshot_status_parse("{\"hash\":1,\"revision\":2}\n", &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "missing"));
	perr_clear(&err);
	assert_int_equal(snapshot_status_parse("", &s, &err), -EINVAL);
	perr_clear(&err);
}

static void status_lines(void **state)
{
	struct snapshot_last last = { "etcd-snapshot_node1_20261130T130509Z", T0, 20512, true, 2 };
	struct prov_status s = { "etcd healthy", 3, NULL, NULL, 0, 0, NULL, &last, "disk\tfull\n" };
	struct snapshot_last none = { "", 0, 0, false, 0 };
	char *t = prov_status_text(&s), buf[16];

	(void)state;
	assert_non_null(strstr(t, "\nsnapshot\tetcd-snapshot_node1_20261130T130509Z\t2026-11-30T13:05:09Z\t"
				  "20512\tverified\t2\n"));
	assert_non_null(strstr(t, "\nsnapshot-failed\tdisk full \n"));
	free(t);
	s.snapshot = &none;
	s.snapshot_error = NULL;
	t = prov_status_text(&s);
	assert_null(strstr(t, "snapshot"));
	free(t);
	assert_string_equal(oneshot_last_line("a\nError: no space left on device\n\n", buf, sizeof(buf)),
			    "Error: no space");
	assert_string_equal(oneshot_last_line("", buf, sizeof(buf)), "no output");
}

/* a full disk said as such, whoever hit it, without their temporary names */
static void says_a_full_disk(void **state)
{
	char *r;

	(void)state;
	r = disk_full_reason("docker: POST /containers/09aa/start: HTTP 500: write /var/lib/system-docker/"
				    "containers/09aa/.tmp-hostconfig.json123: no space left on device",
				    "/opt/rke/etcd-snapshots", 3LL << 20, 0);
	assert_string_equal(r, "no space left on the state disk (3 MiB free in /opt/rke/etcd-snapshots)");
	free(r);
	r = disk_full_reason("etcd-snapshot_n_20261130T130509Z: etcdctl snapshot save exited: Error: write "
				    "/opt/rke/etcd-snapshots/tmp-x.part: No space left on device", "/d", -1, 0);
	assert_string_equal(r, "no space left on the state disk (/d)");
	free(r);
	assert_null(disk_full_reason("etcdctl snapshot save exited: context deadline exceeded", "/d", 0, 0));
	assert_null(disk_full_reason(NULL, "/d", 0, 0));
	/* little room left: a full disk, whatever the failure said */
	r = disk_full_reason("etcdctl snapshot save exited: no output", "/d", 4096, DISK_FULL_ROOM);
	assert_string_equal(r, "no space left on the state disk (0 MiB free in /d)");
	free(r);
	assert_null(disk_full_reason("etcdctl snapshot save exited: no output", "/d", 8LL << 20, DISK_FULL_ROOM));
	assert_null(disk_full_reason("etcdctl snapshot save exited: no output", "/d", -1, DISK_FULL_ROOM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_carry_node_and_utc_time),
		cmocka_unit_test(next_due),
		cmocka_unit_test(prunes_oldest_snapshots_only),
		cmocka_unit_test(policy_from_node_conf),
		cmocka_unit_test(parses_etcdctl_status),
		cmocka_unit_test(status_lines),
		cmocka_unit_test(says_a_full_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
