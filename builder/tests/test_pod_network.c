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
#include "image/cni_files.h"
#include "json.h"
#include "plan/plan.h"
#include "strv.h"

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
	/* the cluster CIDR as the NAT rule names it */
	assert_int_equal(pod_cidr_cluster("10.42.9.0/16", s), 0);
	assert_string_equal(s, "10.42.0.0/16");
	assert_int_equal(pod_cidr_cluster("10.40.0.0/14", s), 0);
	assert_string_equal(s, "10.40.0.0/14");
	assert_int_equal(pod_cidr_cluster("10.42.0.0/25", s), -EINVAL);
	assert_int_equal(pod_cidr_cluster("fd00::/48", s), -EINVAL);
}


static struct plan *plan_of(const char *extra)
{
	char *doc = NULL;
	struct plan *p = NULL;
	struct perr e = PERR_INIT;
	if (asprintf(&doc, "%s%s", two_nodes, extra) < 0)
		return NULL;
	int r = plan_load_buffer("c.yml", doc, strlen(doc), &p, NULL, &e);
	free(doc);
	if (r < 0)
		fail_msg("%s", e.msg);
	return p;
}

/* node.conf of node i, serialized */
static char *node_conf(const struct plan *p, size_t i)
{
	struct nodecfg cfg = { 0 };
	struct perr e = PERR_INIT;
	size_t len;
	assert_int_equal(plan_node_config(p, i, &cfg, &e), 0);
	char *s = nodecfg_serialize(&cfg, &len);
	nodecfg_free(&cfg);
	return s;
}

static bool has_arg(const struct plan *p, size_t i, const char *ct, const char *arg)
{
	size_t n;
	const struct plan_container *c = plan_node_containers(p, i, &n);
	for (size_t j = 0; j < n; j++)
		for (size_t a = 0; !strcmp(c[j].name, ct) && c[j].args[a]; a++)
			if (!strcmp(c[j].args[a], arg))
				return true;
	return false;
}

static bool has_file(const struct plan *p, size_t i, const char *path)
{
	size_t n;
	const struct plan_file *f = plan_node_files(p, i, &n);
	for (size_t j = 0; j < n; j++)
		if (!strcmp(f[j].path, path))
			return true;
	return false;
}

static void plan_routes_and_config(void **state)
{
	(void)state;
	/* a third node: the others keep their subnets (numbered by address, not place) */
	struct plan *p = plan_of("  - address: 10.10.0.200\n    user: u\n    role: [worker]\n"
				 "network: {plugin: none}\npaddock: {pod_network: bridge}\n");
	assert_non_null(p);
	assert_string_equal(plan_node_at(p, 0)->pod_cidr, "10.42.11.0/24");
	assert_string_equal(plan_node_at(p, 1)->pod_cidr, "10.42.12.0/24");
	assert_string_equal(plan_node_at(p, 2)->pod_cidr, "10.42.200.0/24");
	/* routes go through internal_address (node 1's is 10.10.0.12) */
	char **r = plan_pod_routes(p, 0);
	assert_non_null(r);
	assert_non_null(r[1]);
	assert_null(r[2]);
	assert_string_equal(r[0], "10.42.12.0/24 via 10.10.0.12");
	assert_string_equal(r[1], "10.42.200.0/24 via 10.10.0.200");
	strv_free(r);
	char *conf = node_conf(p, 1);
	assert_non_null(strstr(conf, "pod.network=bridge\npod.cidr=10.42.12.0/24\n"
				     "pod.cluster_cidr=10.42.0.0/16\n"
				     "pod.route=10.42.11.0/24 via 10.10.0.11\n"
				     "pod.route=10.42.200.0/24 via 10.10.0.200\n"));
	free(conf);
	/* the controller-manager hands out no /24s of its own */
	assert_true(has_arg(p, 0, "kube-controller-manager", "--allocate-node-cidrs=false"));
	assert_true(has_arg(p, 0, "kube-controller-manager", "--cluster-cidr=10.42.0.0/16"));
	assert_true(has_file(p, 2, "/etc/cni/net.d/10-paddock-bridge.conflist"));
	plan_free(p);
	/* without it: RKE's plan, no pod keys */
	p = plan_of("");
	assert_null(plan_node_at(p, 0)->pod_cidr);
	r = plan_pod_routes(p, 0);
	assert_non_null(r);
	assert_null(r[0]);
	strv_free(r);
	conf = node_conf(p, 0);
	assert_null(strstr(conf, "pod."));
	free(conf);
	assert_true(has_arg(p, 0, "kube-controller-manager", "--allocate-node-cidrs=true"));
	assert_false(has_file(p, 0, "/etc/cni/net.d/10-paddock-bridge.conflist"));
	plan_free(p);
}

static void conflist(void **state)
{
	(void)state;
	char *s = cni_conflist("10.42.11.0/24");
	struct json *j = NULL;
	struct perr e = PERR_INIT;
	assert_non_null(s);
	assert_int_equal(json_parse(s, strlen(s), &j, &e), 0);
	assert_string_equal(json_str_at(j, "cniVersion"), "0.4.0");
	const struct json *pl = json_get(j, "plugins");
	assert_non_null(pl);
	const struct json *br = pl->child, *pm = br->next;
	assert_string_equal(json_str_at(br, "type"), "bridge");
	assert_true(json_bool_at(br, "isGateway", false));
	/* no NAT between pods: init's rule masquerades what leaves the cluster */
	assert_false(json_bool_at(br, "ipMasq", true));
	assert_true(json_bool_at(br, "hairpinMode", false));
	assert_string_equal(json_str_at(br, "ipam.type"), "host-local");
	const struct json *range = json_path(br, "ipam.ranges")->child->child;
	assert_string_equal(json_str_at(range, "subnet"), "10.42.11.0/24");
	assert_string_equal(json_str_at(range, "gateway"), "10.42.11.1");
	assert_string_equal(json_str_at(pm, "type"), "portmap");
	assert_true(json_bool_at(pm, "capabilities.portMappings", false));
	assert_null(pm->next);
	json_free(j);
	free(s);
	assert_null(cni_conflist("not a subnet"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_and_rule),
		cmocka_unit_test(node_addresses),
		cmocka_unit_test(subnets),
		cmocka_unit_test(plan_routes_and_config),
		cmocka_unit_test(conflist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
