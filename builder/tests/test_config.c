#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/config_schema.h"
#include "config/netaddr.h"
#include "config/schema.h"

static const char *base =
	"nodes:\n"
	"  - address: 10.0.0.1\n"
	"    user: u\n"
	"    role: [etcd, controlplane, worker]\n";

static struct cluster *load(const char *extra, struct diag_list *d, struct perr *e)
{
	char *doc = NULL;
	struct cluster *c = NULL;
	if (asprintf(&doc, "%s%s", base, extra) < 0)
		return NULL;
	int r = config_load_buffer("c.yml", doc, strlen(doc), &c, d, e);
	free(doc);
	return r < 0 ? NULL : c;
}

static void rke_defaults(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct cluster *c = load("", NULL, &e);
	assert_non_null(c);
	const struct cfg_node *n = &c->nodes[0];
	assert_string_equal(n->port, "22");
	assert_string_equal(n->internal_address, "10.0.0.1");
	assert_string_equal(n->hostname_override, "10.0.0.1");
	assert_string_equal(n->ssh_key_path, "~/.ssh/id_rsa");
	assert_string_equal(n->docker_socket, "/var/run/docker.sock");
	assert_string_equal(c->cluster_name, "local");
	assert_string_equal(c->network.plugin, "canal");
	assert_string_equal(c->services.kube_api.service_cluster_ip_range, "10.43.0.0/16");
	assert_string_equal(c->services.kube_api.service_node_port_range, "30000-32767");
	assert_string_equal(c->services.kube_controller.cluster_cidr, "10.42.0.0/16");
	assert_string_equal(c->services.kubelet.cluster_dns_server, "10.43.0.10");
	assert_string_equal(c->services.kubelet.cluster_domain, "cluster.local");
	assert_true(c->services.etcd.snapshot);
	assert_string_equal(c->services.etcd.creation, "12h");
	assert_string_equal(c->services.etcd.retention, "72h");
	assert_string_equal(cfg_kv_get(&c->services.etcd.base.extra_args, "election-timeout"), "5000");
	assert_true(c->services.kube_api.audit.enabled);
	assert_int_equal(c->services.kube_api.audit.max_age, 30);
	assert_int_equal(c->services.kube_api.audit.max_backup, 10);
	assert_null(c->services.kube_api.audit.policy);
	assert_string_equal(c->authentication.strategy, "x509");
	assert_string_equal(c->authorization.mode, "rbac");
	assert_int_equal(c->addon_job_timeout, 45);
	assert_string_equal(c->paddock.compression, "zstd");
	assert_string_equal(c->paddock.console, "ttyS0");
	assert_int_equal(c->paddock.menu_timeout, 5);
	assert_int_equal(c->paddock.formats.n, 4);
	assert_string_equal(n->boot.net_mode, "dhcp");
	config_free(c);
}

static void version_dependent_defaults(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct cluster *c = load("kubernetes_version: v1.20.4-rancher1-1\n", NULL, &e);
	assert_non_null(c);
	assert_true(c->services.kube_api.audit.enabled);
	assert_string_equal(c->ingress.network_mode, "hostNetwork");
	assert_null(c->services.kube_api.pod_security_configuration);
	config_free(c);
	c = load("kubernetes_version: v1.15.3-rancher1-1\n", NULL, &e);
	assert_non_null(c);
	assert_false(c->services.kube_api.audit.enabled);
	config_free(c);
	c = load("kubernetes_version: v1.12.3-rancher1-1\n", NULL, &e);
	assert_string_equal(c->dns.provider, "kube-dns");
	config_free(c);
	c = load("", NULL, &e);
	assert_string_equal(c->ingress.network_mode, "hostPort");
	assert_string_equal(c->services.kube_api.pod_security_configuration, "privileged");
	config_free(c);
}

static void backup_config_defaults(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct cluster *c = load("services:\n  etcd:\n    backup_config: {}\n", NULL, &e);
	assert_non_null(c);
	assert_true(c->services.etcd.backup.present);
	assert_true(c->services.etcd.backup.enabled);
	assert_int_equal(c->services.etcd.backup.interval_hours, 12);
	assert_int_equal(c->services.etcd.backup.retention, 6);
	assert_int_equal(c->services.etcd.backup.timeout, 300);
	config_free(c);
}

static void yaml11_semantics(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct cluster *c = load("ssh_agent_auth: yes\ncluster_name: 123\n"
				 "services:\n  kubelet:\n    fail_swap_on: On\n", NULL, &e);
	assert_non_null(c);
	assert_true(c->ssh_agent_auth);
	assert_true(c->nodes[0].ssh_agent_auth);   /* forced to the cluster's value */
	assert_string_equal(c->cluster_name, "123");
	assert_true(c->services.kubelet.fail_swap_on);
	config_free(c);
	c = load("services:\n  etcd: {uid: 0o144, gid: 0x64}\n", NULL, &e);
	assert_non_null(c);
	assert_int_equal(c->services.etcd.uid, 100);
	assert_int_equal(c->services.etcd.gid, 100);
	config_free(c);
	/* a quoted string is not an int or a bool */
	assert_null(load("services:\n  etcd:\n    uid: \"52034\"\n", NULL, &e));
	assert_int_equal(e.line, 7);
	assert_non_null(strstr(e.msg, "services.etcd.uid: expected an integer"));
	perr_clear(&e);
	assert_null(load("ssh_agent_auth: \"true\"\n", NULL, &e));
	assert_non_null(strstr(e.msg, "ssh_agent_auth: expected a boolean"));
	perr_clear(&e);
	/* a scalar where a list belongs */
	assert_null(load("addons_include: x.yaml\n", NULL, &e));
	assert_non_null(strstr(e.msg, "expected a list"));
	perr_clear(&e);
}

static void hostname_lowercased_and_checked(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct cluster *c = NULL;
	const char *doc = "nodes:\n - address: Node-A.example.com\n   user: u\n   role: [etcd]\n";
	assert_int_equal(config_load_buffer("c.yml", doc, strlen(doc), &c, NULL, &e), 0);
	assert_string_equal(c->nodes[0].hostname_override, "node-a.example.com");
	config_free(c);
	doc = "nodes:\n - address: a\n   user: u\n   role: [etcd]\n   hostname_override: node_1\n";
	assert_true(config_load_buffer("c.yml", doc, strlen(doc), &c, NULL, &e) < 0);
	assert_int_equal(e.line, 5);
	assert_non_null(strstr(e.msg, "Hostname_override [node_1]"));
	perr_clear(&e);
}

static void suggestions(void **state)
{
	(void)state;
	int sysimg = schema_lookup("system_images");
	assert_true(sysimg > 0);
	assert_string_equal(schema_suggest(sysimg, "wave_node"), "weave_node");
	assert_string_equal(schema_suggest(schema_lookup("dns"), "upstreamNameservers"),
			    "upstreamnameservers");
	assert_string_equal(schema_suggest(schema_lookup("services"), "kube_api"), "kube-api");
	assert_null(schema_suggest(0, "pihole"));
	assert_int_equal(schema_keys[schema_lookup("services.etcd.uid")].type, S_INT);
	char *p = schema_path(schema_lookup("services.etcd.backup_config.s3backupconfig.bucket_name"));
	assert_string_equal(p, "services.etcd.backup_config.s3backupconfig.bucket_name");
	free(p);
}

static void warnings(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct diag_list d = { 0 };
	struct cluster *c = load("kube-api:\n  audit_log: {enabled: true}\n"
				 "services:\n  kube-api:\n    pod_security_policy: true\n", &d, &e);
	assert_non_null(c);
	bool misplaced = false, removed = false;
	for (size_t i = 0; i < d.n; i++) {
		misplaced |= strstr(d.v[i].msg, "did you mean `services.kube-api`") != NULL;
		removed |= strstr(d.v[i].msg, "removed in RKE v1.6") != NULL;
	}
	assert_true(misplaced);
	assert_true(removed);
	config_free(c);
	diag_free(&d);
}

/* The first message of kind k whose text has needle, or NULL. */
static const struct diag *diag_with(const struct diag_list *d, enum diag_kind k, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].kind == k && strstr(d->v[i].msg, needle))
			return &d->v[i];
	return NULL;
}

static void version_table(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct diag_list d = { 0 };
	/* not set: RKE's default version */
	struct cluster *c = load("", &d, &e);
	assert_string_equal(c->kubernetes_version, k8s_default_version());
	assert_string_equal(c->kubernetes_version, "v1.30.5-rancher1-1");
	assert_non_null(c->k8s);
	assert_string_equal(k8s_options_key(c->k8s_flags), "v1.30");
	config_free(c);
	/* a version RKE does not know: its error, the first image RKE misses */
	assert_null(load("kubernetes_version: v1.32.5-rancher1-1\n", &d, &e));
	assert_int_equal(e.line, 5);
	assert_non_null(strstr(e.msg, "kubernetes_version: v1.32.5-rancher1-1 is an unsupported "
				      "Kubernetes version and system images are not populated: etcd "
				      "image is not populated"));
	perr_clear(&e);
	assert_null(load("kubernetes_version: v1.32.5-rancher1-1\nsystem_images: {etcd: e:1}\n", &d, &e));
	assert_non_null(strstr(e.msg, ": kubernetes image is not populated"));
	perr_clear(&e);
	/* one RKE no longer offers: a warning */
	c = load("kubernetes_version: v1.20.5-rancher1-1\n", &d, &e);
	assert_non_null(c);
	/* named by the data it comes from, never by an RKE release it is not from */
	const struct diag *w = diag_with(&d, DIAG_WARNING, "RKE releases after 1.3.99 no longer offer "
					 "this minor (its maxRKEVersion in the version data paddock "
					 "carries: KDM dev-v2.9, RKE v1.6)");
	assert_non_null(w);
	assert_int_equal(w->line, 5);
	config_free(c);
	diag_free(&d);
}

static void version_rules(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	assert_null(load("network: {plugin: weave}\n", NULL, &e));
	assert_non_null(strstr(e.msg, "network.plugin: weave CNI support is removed for k8s version >=1.30.0"));
	perr_clear(&e);
	struct cluster *c = load("kubernetes_version: v1.29.9-rancher1-1\nnetwork: {plugin: weave}\n", NULL, &e);
	assert_non_null(c);
	config_free(c);
	/* RBAC off: the key to change is authorization.mode */
	assert_null(load("authorization: {mode: none}\n", NULL, &e));
	assert_int_equal(e.line, 5);
	assert_non_null(strstr(e.msg, "authorization.mode: `none`: PodSecurity can't be enabled with "
				      "RBAC support disabled"));
	perr_clear(&e);
	assert_null(load("kubernetes_version: v1.27.16-rancher1-1\ncloud_provider: {name: aws}\n", NULL, &e));
	assert_non_null(strstr(e.msg, "Cloud provider aws is invalid for [v1.27.16-rancher1-1]"));
	perr_clear(&e);
	c = load("kubernetes_version: v1.21.14-rancher1-1\nenable_cri_dockerd: true\n", NULL, &e);
	assert_non_null(c);     /* allowed from 1.21 */
	config_free(c);
	assert_null(load("kubernetes_version: v1.19.16-rancher2-1\nenable_cri_dockerd: true\n", NULL, &e));
	assert_non_null(strstr(e.msg, "Enabling cri-dockerd for cluster version"));
	perr_clear(&e);
}

/* Templates: all of them listed, never a secret's value. */
static void template_messages(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct diag_list d = { 0 };
	assert_null(load("cluster_name: \"{% if x %}a{% endif %}\"\n"
			 "private_registries:\n  - {url: r, user: u, password: \"{{Passw0rd}}\"}\n"
			 "ssh_key_path: \"%key_path%\"\n", &d, &e));
	assert_non_null(strstr(e.msg, "cluster_name: unrendered template `{% if x %}`"));
	assert_non_null(diag_with(&d, DIAG_NOTE, "cluster_name: unrendered template `{% endif %}`"));
	assert_non_null(diag_with(&d, DIAG_NOTE, "the value of `password`, which may be a secret"));
	assert_non_null(diag_with(&d, DIAG_NOTE, "ssh_key_path: unrendered template `%key_path%`"));
	for (size_t i = 0; i < d.n; i++)
		assert_null(strstr(d.v[i].msg, "Passw0rd"));
	perr_clear(&e);
	diag_free(&d);
	/* unquoted: YAML fails first, the raw text is searched */
	assert_null(load("private_registries:\n  - url: r\n    password: {{Passw0rd}}\n", &d, &e));
	assert_null(strstr(e.msg, "Passw0rd"));
	assert_non_null(strstr(e.msg, "`password`"));
	perr_clear(&e);
	diag_free(&d);
	/* prose is not a template */
	struct cluster *c = load("upgrade_strategy: {max_unavailable_worker: 10%}\n"
				 "cluster_name: \"50% {not one\"\n", NULL, &e);
	assert_non_null(c);
	config_free(c);
}

static void documents(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct diag_list d = { 0 };
	struct cluster *c = load("---\nfoo: bar\n---\n---\nbaz: 1\n", &d, &e);
	assert_non_null(c);
	const struct diag *w = diag_with(&d, DIAG_WARNING, "a second YAML document starts here");
	assert_non_null(w);
	assert_int_equal(w->line, 5);
	assert_non_null(strstr(w->msg, "(and 1 more after it)"));
	config_free(c);
	diag_free(&d);
	const char *doc = "---\n# nothing\n---\nnodes: []\n";
	assert_true(config_load_buffer("c.yml", doc, strlen(doc), &c, NULL, &e) < 0);
	assert_non_null(strstr(e.msg, "the first YAML document is empty, and RKE reads only the "
				      "first: the document at line 3 is ignored"));
	perr_clear(&e);
	doc = "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n";
	assert_true(config_load_buffer("c.yml", doc, strlen(doc), &c, &d, &e) < 0);
	assert_non_null(diag_with(&d, DIAG_NOTE, "this looks like kind's cluster config"));
	perr_clear(&e);
	diag_free(&d);
}

static void netaddr(void **state)
{
	(void)state;
	struct ipaddr a, g;
	int p;
	char buf[64], mac[18];
	assert_true(cidr_parse("10.10.0.11/24", &a, &p));
	assert_int_equal(p, 24);
	assert_true(ip_parse("10.10.0.1", &g));
	assert_true(ip_same_prefix(&a, &g, p));
	assert_true(ip_parse("10.10.1.1", &g));
	assert_false(ip_same_prefix(&a, &g, p));
	assert_false(cidr_parse("10.10.0.11", &a, &p));
	assert_false(cidr_parse("10.10.0.11/33", &a, &p));
	assert_true(cidr_parse("10.10.0.0/24", &a, &p));
	assert_true(ip4_is_net_or_bcast(&a, p));
	assert_true(cidr_nth("10.43.0.0/16", 1, buf, sizeof(buf)));
	assert_string_equal(buf, "10.43.0.1");
	assert_true(cidr_nth("fd00::/64", 1, buf, sizeof(buf)));
	assert_string_equal(buf, "fd00::1");
	assert_true(mac_parse("52-54-00-AB-cd-01", mac));
	assert_string_equal(mac, "52:54:00:ab:cd:01");
	assert_false(mac_parse("52:54:00:ab:cd", mac));
	assert_false(mac_parse("52:54:00:ab:cd:0g", mac));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rke_defaults),
		cmocka_unit_test(backup_config_defaults),
		cmocka_unit_test(version_dependent_defaults),
		cmocka_unit_test(yaml11_semantics),
		cmocka_unit_test(hostname_lowercased_and_checked),
		cmocka_unit_test(suggestions),
		cmocka_unit_test(warnings),
		cmocka_unit_test(netaddr),
		cmocka_unit_test(version_table),
		cmocka_unit_test(version_rules),
		cmocka_unit_test(template_messages),
		cmocka_unit_test(documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
