/* initrd's part of the bridge pod network: the route commands from
 * node.conf, the NAT rule's command, the sysctls (under a stand-in /proc/sys), and nothing at all
 * without pod.network=bridge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "network.h"
#include "pod_network.h"
#include "strv.h"
#include "sysctl.h"

static void route_commands(void **state)
{
	(void)state;
	struct strv v = STRV_INIT;
	struct perr e = PERR_INIT;
	assert_int_equal(pod_route_argv("10.42.12.0/24 via 10.10.0.12", "eth0", &v, &e), 0);
	const char *want[] = { BUSYBOX, "ip", "route", "replace", "10.42.12.0/24", "via", "10.10.0.12",
			       "dev", "eth0", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(v.v[i], want[i]);
	assert_null(v.v[9]);
	strv_clear(&v);
	const char *bad[] = { "10.42.12.0/24", "10.42.12.0/24 10.10.0.12", "10.42.12.0/24 dev 10.10.0.12",
			      "10.42.12.0 via 10.10.0.12", "10.42.12.0/24 via 10.10.0.12 onlink", "", NULL };
	for (size_t i = 0; bad[i]; i++) {
		assert_int_equal(pod_route_argv(bad[i], "eth0", &v, &e), -EINVAL);
		assert_non_null(strstr(e.msg, "pod.route"));
		assert_null(v.v);
		perr_clear(&e);
	}
}

static void nat_command(void **state)
{
	(void)state;
	struct strv v = STRV_INIT;
	struct perr e = PERR_INIT;
	/* pods keep their address towards the cluster CIDR, nowhere else */
	assert_int_equal(pod_nat_argv("-A", "10.42.0.0/16", &v, &e), 0);
	const char *want[] = { "/usr/sbin/iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.42.0.0/16",
			       "!", "-d", "10.42.0.0/16", "-m", "comment", "--comment",
			       "paddock: pods leaving the cluster CIDR", "-j", "MASQUERADE", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(v.v[i], want[i]);
	assert_null(v.v[16]);
	strv_clear(&v);
	assert_int_equal(pod_nat_argv("-C", "10.42.0.0/16", &v, &e), 0);
	assert_string_equal(v.v[3], "-C");
	strv_clear(&v);
	const char *bad[] = { "10.42.0.0", "10.42.0.0/16 -j ACCEPT", "-j/16", "", NULL };
	for (size_t i = 0; bad[i]; i++) {
		assert_int_equal(pod_nat_argv("-A", bad[i], &v, &e), -EINVAL);
		assert_non_null(strstr(e.msg, "pod.cluster_cidr"));
		assert_null(v.v);
		perr_clear(&e);
	}
	assert_int_equal(pod_nat_argv("-A", NULL, &v, &e), -EINVAL);
	assert_string_equal(e.msg, "node.conf has no pod.cluster_cidr");
	perr_clear(&e);
}

static void sysctls(void **state)
{
	(void)state;
	/* what the bridge needs; the hardening list must not take it back */
	const char *want[] = { "net.ipv4.ip_forward=1", "net.bridge.bridge-nf-call-iptables=1", NULL };
	for (size_t i = 0; want[i]; i++) {
		bool found = false;
		for (size_t j = 0; pod_network_sysctls[j]; j++)
			found |= !strcmp(pod_network_sysctls[j], want[i]);
		assert_true(found);
		size_t kl = strcspn(want[i], "=");
		for (size_t j = 0; sysctl_hardening[j]; j++)
			assert_false(!strncmp(sysctl_hardening[j], want[i], kl + 1));
	}
}

static void nothing_without_bridge(void **state)
{
	(void)state;
	struct nodecfg cfg = { 0 };
	struct perr e = PERR_INIT;
	char dir[] = "/tmp/paddock-test-podnet.XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* a route that would fail if anything ran */
	assert_int_equal(nodecfg_add(&cfg, "pod.route", "not a route"), 0);
	assert_int_equal(pod_network_up(&cfg, "eth0", dir, &e), 0);
	assert_int_equal(nodecfg_add(&cfg, "pod.network", "none"), 0);
	assert_int_equal(pod_network_up(&cfg, "eth0", dir, &e), 0);
	nodecfg_free(&cfg);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(route_commands),
		cmocka_unit_test(nat_command),
		cmocka_unit_test(sysctls),
		cmocka_unit_test(nothing_without_bridge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
