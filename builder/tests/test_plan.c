#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "json.h"
#include "plan/plan.h"
#include "plan/plan_output.h"

static const char *doc =
	"cluster_name: t\n"
	"nodes:\n"
	"  - address: 10.0.0.1\n    hostname_override: a\n    user: u\n    role: [etcd, controlplane]\n"
	"    paddock: {mac: \"52:54:00:00:00:0A\", network: {address: 10.0.0.1/24, gateway: 10.0.0.254, dns: [1.1.1.1]}}\n"
	"  - address: 10.0.0.2\n    hostname_override: b\n    user: u\n    role: [etcd, worker]\n"
	"  - address: 10.0.0.3\n    hostname_override: c\n    user: u\n    role: [etcd, worker]\n"
	"services:\n  etcd: {uid: 1001, gid: 1002}\n"
	"private_registries:\n  - {url: reg.local:5000, is_default: true}\n"
	"system_images:\n  etcd: my/etcd:1\n"
	"paddock:\n  defaults: {state_disk: /dev/sda, debug_shell: true}\n"
	"  formats: [iso]\n";

static struct plan *load(const char *text, struct perr *e)
{
	char path[] = "/tmp/paddock-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct plan *p = NULL;
	int r = plan_load(path, &p, NULL, e);
	unlink(path);
	return r < 0 ? NULL : p;
}

static const struct plan_container *find(const struct plan *p, size_t node, const char *name)
{
	size_t n;
	const struct plan_container *c = plan_node_containers(p, node, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return &c[i];
	return NULL;
}

static bool has_arg(const struct plan_container *c, const char *arg)
{
	for (size_t i = 0; c->args[i]; i++)
		if (!strcmp(c->args[i], arg))
			return true;
	return false;
}

/* The value of --name=..., or NULL; fails when the flag is given twice. */
static const char *flag(const struct plan_container *c, const char *name)
{
	const char *found = NULL;
	size_t n = strlen(name);
	for (size_t i = 0; c->args[i]; i++)
		if (!strncmp(c->args[i], "--", 2) && !strncmp(c->args[i] + 2, name, n) &&
		    c->args[i][2 + n] == '=') {
			assert_null(found);
			found = c->args[i] + 3 + n;
		}
	return found;
}

static struct plan *load_ok(const char *text)
{
	struct perr e = PERR_INIT;
	struct plan *p = load(text, &e);
	if (!p)
		fail_msg("%s", e.msg);
	return p;
}

#define ONE_NODE "nodes:\n  - {address: 10.0.0.1, user: u, role: [etcd, controlplane, worker]}\n"

static void nodes_roles_and_boot(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = load(doc, &e);
	if (!p)
		fail_msg("%s", e.msg);
	assert_string_equal(plan_cluster_name(p), "t");
	assert_int_equal(plan_node_count(p), 3);
	const struct plan_node *a = plan_node_at(p, 0);
	assert_string_equal(a->name, "a");
	assert_int_equal(a->roles, PLAN_ROLE_ETCD | PLAN_ROLE_CONTROLPLANE);
	assert_string_equal(a->mac, "52:54:00:00:00:0a");
	assert_false(a->dhcp);
	assert_string_equal(a->net_address, "10.0.0.1/24");
	assert_string_equal(a->net_gateway, "10.0.0.254");
	assert_string_equal(a->dns[0], "1.1.1.1");
	assert_null(a->dns[1]);
	assert_string_equal(a->state_disk, "/dev/sda");
	assert_true(a->debug_shell);
	assert_null(plan_node_at(p, 3));
	const struct plan_build_opts *o = plan_build_options(p);
	assert_string_equal(o->formats[0], "iso");
	assert_null(o->formats[1]);
	assert_string_equal(o->kernel_flavour, "generic");
	plan_free(p);
}

static void etcd_uid_gid_and_images(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = load(doc, &e);
	assert_non_null(p);
	assert_string_equal(plan_etcd_initial_cluster(p),
			    "etcd-a=https://10.0.0.1:2380,etcd-b=https://10.0.0.2:2380,etcd-c=https://10.0.0.3:2380");
	const struct plan_container *etcd = find(p, 1, "etcd");
	assert_non_null(etcd);
	assert_string_equal(etcd->user, "1001:1002");
	assert_string_equal(etcd->image, "my/etcd:1");   /* set in the file: not rewritten */
	assert_true(has_arg(etcd, "--name=etcd-b"));
	assert_true(has_arg(etcd, "--election-timeout=5000"));
	const struct plan_container *api = find(p, 0, "kube-apiserver");
	assert_non_null(api);
	assert_string_equal(api->image, "reg.local:5000/rancher/hyperkube:v1.30.5-rancher1");
	assert_true(has_arg(api, "--audit-policy-file=/etc/kubernetes/audit-policy.yaml"));
	assert_true(has_arg(api, "--etcd-servers=https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379"));
	assert_null(find(p, 0, "nginx-proxy"));
	assert_non_null(find(p, 1, "nginx-proxy"));
	assert_null(find(p, 1, "kube-apiserver"));
	plan_free(p);
}

static void node_config(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = load(doc, &e);
	struct nodecfg c = { 0 };
	assert_int_equal(plan_node_config(p, 0, &c, &e), 0);
	assert_string_equal(nodecfg_get(&c, "cluster.name"), "t");
	assert_string_equal(nodecfg_get(&c, "node.name"), "a");
	assert_string_equal(nodecfg_get(&c, "node.ssh_port"), "22");    /* sshd's health check reads it */
	assert_string_equal(nodecfg_get(&c, "net.mode"), "static");
	assert_string_equal(nodecfg_get(&c, "net.address"), "10.0.0.1/24");
	assert_string_equal(nodecfg_get(&c, "net.mac"), "52:54:00:00:00:0a");
	assert_string_equal(nodecfg_get(&c, "boot.debug_shell"), "true");
	size_t pos = 0;
	assert_string_equal(nodecfg_next(&c, "node.role", &pos), "etcd");
	assert_string_equal(nodecfg_next(&c, "node.role", &pos), "controlplane");
	assert_null(nodecfg_next(&c, "node.role", &pos));
	nodecfg_free(&c);
	assert_true(plan_node_config(p, 9, &c, &e) < 0);
	perr_clear(&e);
	plan_free(p);
}

/* node.conf's snapshot keys: RKE's defaults (legacy keys: 72h / 12h keeps
 * 6), backup_config, the paddock interval, the restore, none off etcd. */
static void node_config_snapshots(void **state)
{
	(void)state;
	static const struct {
		const char *etcd, *paddock, *iv, *keep, *restore;
	} cases[] = {
		{ "{}", "", "43200", "6", NULL },
		{ "{creation: 30m, retention: 2h}", "", "1800", "4", NULL },
		{ "{creation: 1h, retention: 90m}", "", "3600", "2", NULL },
		{ "{backup_config: {interval_hours: 2, retention: 3}}", "", "7200", "3", NULL },
		{ "{backup_config: {retention: 2}}", "paddock: {snapshot_interval_secs: 20}\n", "20", "2", NULL },
		{ "{backup_config: {enabled: false}}", "restore: {restore: true, snapshot_name: s1}\n", NULL, NULL,
		  "s1" },
		{ "{snapshot: false}", "", NULL, NULL, NULL },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		char *text = NULL;
		assert_true(asprintf(&text, "nodes:\n  - {address: 10.0.0.1, user: u, role: [etcd]}\n"
				     "  - {address: 10.0.0.2, user: u, role: [worker]}\n"
				     "services:\n  etcd: %s\n%s", cases[k].etcd, cases[k].paddock) > 0);
		struct plan *p = load_ok(text);
		struct nodecfg c = { 0 }, w = { 0 };
		struct perr e = PERR_INIT;
		assert_int_equal(plan_node_config(p, 0, &c, &e), 0);
		assert_int_equal(plan_node_config(p, 1, &w, &e), 0);
		const char *iv = nodecfg_get(&c, "etcd.snapshot.interval_secs");
		const char *keep = nodecfg_get(&c, "etcd.snapshot.retention");
		const char *rs = nodecfg_get(&c, "etcd.restore");
		if (cases[k].iv) {
			assert_non_null(iv);
			assert_string_equal(iv, cases[k].iv);
			assert_string_equal(keep, cases[k].keep);
		} else {
			assert_null(iv);
		}
		if (cases[k].restore)
			assert_string_equal(rs, cases[k].restore);
		else
			assert_null(rs);
		assert_null(nodecfg_get(&w, "etcd.snapshot.interval_secs"));
		assert_null(nodecfg_get(&w, "etcd.restore"));
		nodecfg_free(&c);
		nodecfg_free(&w);
		plan_free(p);
		free(text);
	}
}

static void certificate_sans(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = load(doc, &e);
	size_t n;
	const struct plan_cert *c = plan_node_certs(p, 0, &n);
	bool api = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(c[i].name, "kube-apiserver"))
			continue;
		api = true;
		bool svc = false, host = false;
		for (size_t j = 0; c[i].sans[j]; j++) {
			svc |= !strcmp(c[i].sans[j], "10.43.0.1");
			host |= !strcmp(c[i].sans[j], "a");
		}
		assert_true(svc);
		assert_true(host);
	}
	assert_true(api);
	/* the kubelet's client certificate names its node, as the Node
	 * authorizer and NodeRestriction require */
	bool kubelet = false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, "kube-node")) {
			kubelet = true;
			assert_string_equal(c[i].common_name, "system:node:a");
		}
	assert_true(kubelet);
	plan_free(p);
}

/* --json escapes what it prints the way lib's JSON writers do, and parses. */
static void json_escapes_strings(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = load("cluster_name: t\n"
			      "nodes:\n  - address: 10.0.0.1\n    hostname_override: a\n    user: u\n"
			      "    role: [etcd, controlplane, worker]\n"
			      "    labels: {\"k/\\x7f\": \"v\\t\\\"\\x01\\u00e9\"}\n", &e);
	if (!p)
		fail_msg("%s", e.msg);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(plan_write_json(p, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"labels\": { \"k/\\u007f\": \"v\\t\\\"\\u0001\xc3\xa9\" },\n"));
	assert_non_null(strstr(buf, "\"roles\": [\"etcd\", \"controlplane\", \"worker\"],\n"));
	struct json *j = NULL;
	assert_int_equal(json_parse(buf, len, &j, &e), 0);
	assert_int_equal(json_get(j, "paddock_plan")->num, PLAN_JSON_VERSION);
	json_free(j);
	free(buf);
	plan_free(p);
}

/* Every image and the components' default flags come from RKE's table
 * for the version. */
static void version_table_images_and_flags(void **state)
{
	(void)state;
	struct plan *p = load_ok("kubernetes_version: v1.30.5-rancher1-1\n"
				 "nodes:\n  - {address: 10.0.0.1, user: u, role: [etcd, controlplane]}\n"
				 "  - {address: 10.0.0.2, user: u, role: [worker]}\n"
				 "paddock: {etcd_image: registry}\n");
	assert_string_equal(find(p, 0, "etcd")->image, "rancher/mirrored-coreos-etcd:v3.5.12");
	assert_string_equal(find(p, 0, "etcd")->source, "registry");
	assert_string_equal(find(p, 0, "etcd-rolling-snapshots")->image, "rancher/rke-tools:v0.1.103");
	assert_string_equal(find(p, 1, "nginx-proxy")->image, "rancher/rke-tools:v0.1.103");
	assert_string_equal(find(p, 1, "service-sidekick")->image, "rancher/rke-tools:v0.1.103");
	const struct plan_container *api = find(p, 0, "kube-apiserver");
	assert_string_equal(api->image, "rancher/hyperkube:v1.30.5-rancher1");
	assert_string_equal(flag(api, "anonymous-auth"), "false");
	assert_string_equal(flag(api, "profiling"), "false");
	assert_string_equal(flag(api, "service-account-issuer"), "rke");
	assert_string_equal(flag(find(p, 0, "etcd"), "client-cert-auth"), "true");
	const struct plan_container *kubelet = find(p, 1, "kubelet");
	assert_string_equal(flag(kubelet, "pod-infra-container-image"), "rancher/mirrored-pause:3.7");
	assert_string_equal(flag(kubelet, "authorization-mode"), "Webhook");
	/* an empty default removes the flag */
	assert_null(flag(kubelet, "enforce-node-allocatable"));
	/* cri-dockerd, without --container-runtime from 1.27 */
	assert_string_equal(flag(kubelet, "container-runtime-endpoint"), "unix:///var/run/cri-dockerd.sock");
	assert_null(flag(kubelet, "container-runtime"));
	assert_string_equal(flag(find(p, 0, "kube-scheduler"), "leader-elect"), "true");
	assert_string_equal(flag(find(p, 1, "kube-proxy"), "healthz-bind-address"), "127.0.0.1");
	plan_free(p);

	p = load_ok("kubernetes_version: v1.26.15-rancher1-1\n" ONE_NODE);
	assert_string_equal(flag(find(p, 0, "kubelet"), "container-runtime"), "remote");
	assert_string_equal(find(p, 0, "etcd")->image, "paddock/etcd:3.4.23-debian");
	plan_free(p);
}

/* table default < what RKE computes < extra_args */
static void flag_precedence(void **state)
{
	(void)state;
	struct plan *p = load_ok("kubernetes_version: v1.30.5-rancher1-1\n" ONE_NODE
				 "services:\n"
				 "  kube-api:\n"
				 "    always_pull_images: true\n"
				 "    extra_args: {profiling: \"true\", authorization-mode: Node}\n"
				 "  kubelet:\n"
				 "    extra_args: {enforce-node-allocatable: pods}\n");
	const struct plan_container *api = find(p, 0, "kube-apiserver");
	/* computed over the table: RKE appends to the default plugin list */
	assert_string_equal(flag(api, "enable-admission-plugins"),
			    "NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,"
			    "DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,"
			    "ResourceQuota,NodeRestriction,Priority,TaintNodesByCondition,"
			    "PersistentVolumeClaimResize,PodSecurity,AlwaysPullImages");
	/* extra_args over the table and over what RKE computes */
	assert_string_equal(flag(api, "profiling"), "true");
	assert_string_equal(flag(api, "authorization-mode"), "Node");
	assert_string_equal(flag(find(p, 0, "kubelet"), "enforce-node-allocatable"), "pods");
	plan_free(p);
}

/* system_images over the table; the default registry goes before the
 * table's images only, last */
static void images_file_table_registry(void **state)
{
	(void)state;
	struct plan *p = load_ok("kubernetes_version: v1.30.5-rancher1-1\n" ONE_NODE
				 "private_registries:\n  - {url: reg.local:5000, is_default: true}\n"
				 "system_images:\n  etcd: my/etcd:1\n  alpine: \"\"\n");
	assert_string_equal(find(p, 0, "etcd")->image, "my/etcd:1");
	assert_string_equal(find(p, 0, "etcd-rolling-snapshots")->image,
			    "reg.local:5000/rancher/rke-tools:v0.1.103");
	assert_string_equal(flag(find(p, 0, "kubelet"), "pod-infra-container-image"),
			    "reg.local:5000/rancher/mirrored-pause:3.7");
	plan_free(p);
	/* a registry without url gives no prefix, as in RKE */
	p = load_ok(ONE_NODE "private_registries:\n  - {is_default: true}\n"
		    "paddock: {etcd_image: registry}\n");
	assert_string_equal(find(p, 0, "etcd")->image, "rancher/mirrored-coreos-etcd:v3.5.12");
	plan_free(p);
	/* by default etcd is paddock's own, bundled: no registry needed */
	p = load_ok(ONE_NODE "private_registries:\n  - {url: reg.local:5000, is_default: true}\n");
	assert_string_equal(find(p, 0, "etcd")->image, "paddock/etcd:3.4.23-debian");
	assert_string_equal(find(p, 0, "etcd")->source, "bundled");
	assert_string_equal(find(p, 0, "kube-apiserver")->source, "registry");
	plan_free(p);
}

/* system_images.kubernetes of another minor picks that minor's flags */
static void kubernetes_image_picks_flag_set(void **state)
{
	(void)state;
	struct plan *p = load_ok(ONE_NODE "system_images:\n  kubernetes: rancher/hyperkube:v1.17.4-rancher1\n");
	assert_string_equal(k8s_options_key(plan_cluster(p)->k8s_flags), "v1.17");
	const struct plan_container *api = find(p, 0, "kube-apiserver");
	assert_string_equal(api->image, "rancher/hyperkube:v1.17.4-rancher1");
	assert_null(flag(api, "api-audiences"));
	assert_string_equal(flag(api, "insecure-port"), "0");
	plan_free(p);
}

/* a version the table lacks, every image given: no default flags */
static void unknown_version_with_images(void **state)
{
	(void)state;
	struct plan *p = load_ok("kubernetes_version: v1.33.1-rancher1-1\n" ONE_NODE
				 "system_images:\n"
				 "  etcd: e:1\n  kubernetes: k:v1.33.1\n  pod_infra_container: p:1\n"
				 "  alpine: a:1\n  nginx_proxy: a:1\n  cert_downloader: a:1\n"
				 "  kubernetes_services_sidecar: a:1\n  canal_node: c:1\n  canal_cni: c:1\n"
				 "  canal_flannel: c:1\n  coredns: d:1\n  coredns_autoscaler: d:1\n"
				 "  metrics_server: m:1\n  ingress: i:1\n  ingress_backend: i:1\n"
				 "  ingress_webhook: i:1\n");
	assert_null(plan_cluster(p)->k8s_flags);
	const struct plan_container *api = find(p, 0, "kube-apiserver");
	assert_string_equal(api->image, "k:v1.33.1");
	assert_null(flag(api, "profiling"));
	/* computed flags stay, and the admission plugins RKE adds start the list */
	assert_string_equal(flag(api, "authorization-mode"), "Node,RBAC");
	assert_string_equal(flag(api, "enable-admission-plugins"), "PodSecurity");
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodes_roles_and_boot),
		cmocka_unit_test(etcd_uid_gid_and_images),
		cmocka_unit_test(node_config),
		cmocka_unit_test(node_config_snapshots),
		cmocka_unit_test(certificate_sans),
		cmocka_unit_test(json_escapes_strings),
		cmocka_unit_test(version_table_images_and_flags),
		cmocka_unit_test(flag_precedence),
		cmocka_unit_test(images_file_table_registry),
		cmocka_unit_test(kubernetes_image_picks_flag_set),
		cmocka_unit_test(unknown_version_with_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
