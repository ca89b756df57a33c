/* A node without etcd data meets a running cluster: what it decides from
 * the membership (start a member added for it, be added as a learner,
 * wait for another node's join, refuse a started member with its URL),
 * the --initial-cluster it then starts with, and etcd's answer to a
 * member add. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "etcd_client.h"
#include "join_plan.h"

#define N1 "https://10.10.0.11:2380"
#define N2 "https://10.10.0.12:2380"
#define N3 "https://10.10.0.13:2380"
#define N4 "https://10.10.0.14:2380"

static struct etcd_member mk(uint64_t id, const char *name, const char *url, bool learner)
{
	return (struct etcd_member){ id, (char *)name, (char *)url, (char *)"", learner };
}

static void decides_from_the_membership(void **state)
{
	(void)state;
	struct etcd_member three[] = { mk(1, "etcd-node1", N1, false), mk(2, "etcd-node2", N2, false),
				       mk(3, "etcd-node3", N3, false) };
	size_t i = 99;

	/* not a member: ask to be added */
	assert_int_equal(join_decide(three, 3, N4, &i), JOIN_ADD);
	assert_int_equal(i, 3);
	/* a started member with our URL, and no data on our disk */
	assert_int_equal(join_decide(three, 3, N2, &i), JOIN_CONFLICT);
	assert_int_equal(i, 1);
	/* an empty cluster answer (never from etcd): add */
	assert_int_equal(join_decide(three, 0, N4, &i), JOIN_ADD);

	/* added for us (a learner), never started: start it */
	struct etcd_member added[] = { mk(1, "etcd-node1", N1, false), mk(2, "etcd-node2", N2, false),
				       mk(3, "etcd-node3", N3, false), mk(4, "", N4, true) };
	assert_int_equal(join_decide(added, 4, N4, &i), JOIN_START_ADDED);
	assert_int_equal(i, 3);
	/* an initial member that boots after the others formed the cluster */
	struct etcd_member late[] = { mk(1, "etcd-node1", N1, false), mk(2, "etcd-node2", N2, false),
				      mk(3, "", N3, false) };
	assert_int_equal(join_decide(late, 3, N3, &i), JOIN_START_ADDED);
	assert_int_equal(i, 2);
	/* another node's learner, started or not: one join at a time */
	assert_int_equal(join_decide(added, 4, "https://10.10.0.15:2380", &i), JOIN_WAIT);
	assert_int_equal(i, 3);
	added[3].name = (char *)"etcd-node4";
	assert_int_equal(join_decide(added, 4, "https://10.10.0.15:2380", &i), JOIN_WAIT);
	/* our own learner, started: the disk lost its data */
	assert_int_equal(join_decide(added, 4, N4, &i), JOIN_CONFLICT);
	/* an unstarted voter (an initial member still away) does not block */
	assert_int_equal(join_decide(late, 3, N4, &i), JOIN_ADD);
	assert_int_equal(join_find(late, 3, N2), 1);
	assert_int_equal(join_find(late, 3, N4), 3);
}

static void initial_cluster_lists_every_member(void **state)
{
	(void)state;
	struct etcd_member m[] = { mk(1, "etcd-node1", N1, false), mk(0xab, "", N3, false),
				   mk(2, "etcd-node2", N2, false), mk(4, "", N4, true) };
	char *s = join_initial_cluster(m, 4, "etcd-node4", N4);

	assert_string_equal(s, "etcd-node1=" N1 ",unstarted-ab=" N3 ",etcd-node2=" N2 ",etcd-node4=" N4);
	free(s);
	assert_null(join_initial_cluster(m, 0, "etcd-node4", N4));
}

static void parses_a_member_add(void **state)
{
	(void)state;
	static const char add[] =
		"{\"header\":{\"cluster_id\":\"9\",\"member_id\":\"1\",\"raft_term\":\"2\"},"
		"\"member\":{\"ID\":\"12297829382473034410\",\"peerURLs\":[\"" N4 "\"],\"isLearner\":true},"
		"\"members\":[{\"ID\":\"1\",\"name\":\"etcd-node1\",\"peerURLs\":[\"" N1 "\"],"
		"\"clientURLs\":[\"https://10.10.0.11:2379\"]},"
		"{\"ID\":\"12297829382473034410\",\"peerURLs\":[\"" N4 "\"],\"isLearner\":true}]}";
	struct perr err = PERR_INIT;
	struct etcd_member *m = NULL;
	size_t n = 0;
	uint64_t id = 0;

	assert_int_equal(etcd_parse_member_add(add, strlen(add), &id, &m, &n, &err), 0);
	assert_true(id == 12297829382473034410ull);
	assert_int_equal(n, 2);
	assert_true(m[1].learner);
	assert_string_equal(m[1].name, "");
	char *s = join_initial_cluster(m, n, "etcd-node4", N4);
	assert_string_equal(s, "etcd-node1=" N1 ",etcd-node4=" N4);
	free(s);
	etcd_members_free(m, n);
	/* no member in the answer: refused, not a member 0 */
	assert_true(etcd_parse_member_add("{\"members\":[]}", 14, &id, &m, &n, &err) < 0);
	perr_clear(&err);
	assert_true(etcd_parse_member_add("{\"member\":", 10, &id, &m, &n, &err) < 0);
	perr_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decides_from_the_membership),
		cmocka_unit_test(initial_cluster_lists_every_member),
		cmocka_unit_test(parses_a_member_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
