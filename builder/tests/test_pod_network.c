/* paddock.pod_network: bridge: the key, the rule with network.plugin, each
 * node's subnet, and what the plan makes of them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/pod_cidr.h"

static const char *two_nodes =
	"nodes:\n"
	"  - address: 10.10.0.11\n"
	"    user: u\n"
	"    role: [etcd, controlplane, worker]\n"
	"  - address: 192.168.1.5\n"
	"    internal_address: 10.10.0.12\n"
	"    user: u\n"
	"    role: [worker]\n";

/* Loads two_nodes and extra; NULL with e set when it does not validate. */
static struct cluster *load(const char *extra, struct perr *e)
{
	char *doc = NULL;
	struct cluster *c = NULL;
	perr_clear(e);
	if (asprintf(&doc, "%s%s", two_nodes, extra) < 0)
		return NULL;
	int r = config_load_buffer("c.yml", doc, strlen(doc), &c, NULL, e);
	free(doc);
	return r < 0 ? NULL : c;
}

static void refused(const char *extra, const char *want)
{
	struct perr e = PERR_INIT;
	struct cluster *c = load(extra, &e);
	char *got = c ? NULL : perr_format(&e);
	if (!got || !strstr(got, want))
		fail_msg("wanted an error with \"%s\", got %s", want, got ? got : "none");
	free(got);
	perr_clear(&e);
}

static void key_and_rule(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct cluster *c = load("", &e);
	assert_non_null(c);
	assert_string_equal(c->paddock.pod_network, "none");
	config_free(c);
	c = load("network: {plugin: none}\npaddock: {pod_network: bridge}\n", &e);
	assert_non_null(c);
	assert_string_equal(c->paddock.pod_network, "bridge");
	config_free(c);
	refused("paddock:\n  pod_network: flannel\n", "c.yml:10:16: paddock.pod_network: `flannel`: use bridge");
	/* RKE would deploy its own network: the line that says so */
	refused("network:\n  plugin: canal\npaddock: {pod_network: bridge}\n",
		"c.yml:10:11: network.plugin: `canal`: paddock.pod_network is bridge; set network.plugin: none");
	refused("paddock:\n  pod_network: bridge\n", "c.yml:10:16: paddock.pod_network: bridge needs "
		"network.plugin: none (RKE's default, canal");
	refused("network: {plugin: none}\npaddock: {pod_network: bridge}\n"
		"services:\n  kube-controller:\n    cluster_cidr: 10.42.0.0/25\n",
		"c.yml:13:19: services.kube-controller.cluster_cidr: `10.42.0.0/25` is smaller than a /24");
	refused("network: {plugin: none}\npaddock: {pod_network: bridge}\n"
		"services:\n  kube-controller:\n    cluster_cidr: fd00::/48\n", "is not IPv4");
}

static void node_addresses(void **state)
{
	(void)state;
	/* 10.10.0.11 and 10.10.1.11 share their last 8 bits: one /24 of a /16 */
	refused("network: {plugin: none}\npaddock: {pod_network: bridge}\n"
		"services:\n  kube-controller:\n    cluster_cidr: 10.42.0.0/24\n",
		"c.yml:6:23: nodes[1].internal_address: `10.10.0.12` gets the pod subnet 10.42.0.0/24, "
		"as nodes[0] does");
	struct perr e = PERR_INIT;
	struct cluster *c = load("network: {plugin: none}\npaddock: {pod_network: bridge}\n"
				 "services:\n  kube-controller:\n    cluster_cidr: 10.42.0.0/23\n", &e);
	assert_non_null(c);
	config_free(c);
	/* static nodes: the others must be on the node's LAN */
	const char *lan = "nodes:\n"
			  "  - address: 10.10.0.11\n"
			  "    user: u\n"
			  "    role: [etcd, controlplane, worker]\n"
			  "    paddock: {network: {address: 10.10.0.11/31}}\n"
			  "  - address: 10.10.0.12\n"
			  "    user: u\n"
			  "    role: [worker]\n"
			  "network: {plugin: none}\npaddock: {pod_network: bridge}\n";
	assert_int_equal(config_load_buffer("c.yml", lan, strlen(lan), &c, NULL, &e), -EINVAL);
	char *got = perr_format(&e);
	assert_string_equal(got, "c.yml:6:14: nodes[1].address: 10.10.0.12 is outside nodes[0]'s network "
			    "10.10.0.11/31: the bridge pod network routes pods through the other nodes' "
			    "addresses, on one LAN");
	free(got);
	perr_clear(&e);
}

static void subnets(void **state)
{
	(void)state;
	char s[POD_CIDR_LEN];
	assert_int_equal(pod_cidr_of("10.42.0.0/16", "10.10.0.11", s), 0);
	assert_string_equal(s, "10.42.11.0/24");
	assert_int_equal(pod_cidr_of("10.42.0.0/16", "192.168.7.200", s), 0);
	assert_string_equal(s, "10.42.200.0/24");
	/* a /14 numbers by the last 10 bits: 10.10.3.11 is 3*256+11 */
	assert_int_equal(pod_cidr_of("10.40.0.0/14", "10.10.3.11", s), 0);
	assert_string_equal(s, "10.43.11.0/24");
	/* host bits in the cluster CIDR are ignored */
	assert_int_equal(pod_cidr_of("10.42.9.0/16", "10.10.0.1", s), 0);
	assert_string_equal(s, "10.42.1.0/24");
	assert_int_equal(pod_cidr_of("10.42.0.0/24", "10.10.0.77", s), 0);
	assert_string_equal(s, "10.42.0.0/24");
	assert_int_equal(pod_cidr_of("10.42.0.0/25", "10.10.0.1", s), -EINVAL);
	assert_int_equal(pod_cidr_of("10.42.0.0/16", "node1.example", s), -EINVAL);
	assert_int_equal(pod_cidr_of("10.42.0.0/16", "fd00::1", s), -EINVAL);
	assert_int_equal(pod_cidr_gateway("10.42.11.0/24", s), 0);
	assert_string_equal(s, "10.42.11.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_and_rule),
		cmocka_unit_test(node_addresses),
		cmocka_unit_test(subnets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
