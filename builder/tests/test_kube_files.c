/* The Kubernetes files of a control plane node's layer (image/kube_files.h)
 * and the YAML writer under them (config/yemit.h): what is written reads
 * back as the tree it came from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/yemit.h"
#include "config/ytree.h"
#include "image/kube_files.h"
#include "plan/plan.h"
#include "strbuf.h"

static struct ynode *parse(const char *text, size_t len)
{
	struct perr e = PERR_INIT;
	struct diag_list diags = { 0 };
	struct ynode *n = NULL;
	if (ytree_parse("t.yml", text, len, &n, &diags, &e) < 0)
		fail_msg("does not parse: %s\n%s", e.msg, text);
	assert_int_equal(diags.n, 0);
	diag_free(&diags);
	assert_non_null(n);
	return n;
}

/* a and b hold the same values, scalars plain (typed) or quoted (strings) alike */
static void assert_same(const struct ynode *a, const struct ynode *b)
{
	assert_int_equal(a->kind, b->kind);
	switch (a->kind) {
	case Y_SCALAR:
		assert_int_equal(a->len, b->len);
		assert_memory_equal(a->val, b->val, a->len);
		if (a->plain != b->plain)
			fail_msg("'%s' was %s, is %s", a->val, a->plain ? "plain" : "quoted", b->plain ? "plain" : "quoted");
		break;
	case Y_SEQ:
		assert_int_equal(a->n, b->n);
		for (size_t i = 0; i < a->n; i++)
			assert_same(a->items[i], b->items[i]);
		break;
	case Y_MAP:
		assert_int_equal(ymap_len(a), ymap_len(b));
		for (size_t i = 0; i < ymap_len(a); i++) {
			assert_same(ymap_key(a, i), ymap_key(b, i));
			assert_same(ymap_val(a, i), ymap_val(b, i));
		}
		break;
	}
}

static const char tricky[] =
	"apiVersion: audit.k8s.io/v1\n"
	"kind: Policy\n"
	"omitStages: [\"RequestReceived\"]\n"
	"base: &b {level: Request, verbs: [get, list]}\n"
	"rules:\n"
	"  - <<: *b\n"
	"    resources: [{group: \"\", resources: [\"pods\", \"pods/log\"]}]\n"
	"  - level: \"None\"\n"
	"    users: [\"system:kube-proxy\", 'it''s', \"tab\\there\", \"x\\n- level: None\", \"5000\", \"true\", \"~\"]\n"
	"    namespaces: [5000, true, null, 1.5, 0x10, -1, ~]\n"
	"    note: \"a: b # not a comment\"\n"
	"    literal: |\n"
	"      line one\n"
	"      - level: None\n"
	"    unicode: \"gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93\"\n"
	"    nul: \"a\\0b\"\n"
	"    empty: \"\"\n"
	"    none: []\n"
	"  - level: Metadata\n";

static void a_tree_reads_back_the_same(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct ynode *in = parse(tricky, sizeof(tricky) - 1);
	yaml_document_t d;
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(ydoc_init(&d, &e), 0);
	assert_true(ydoc_tree(&d, in) > 0);
	assert_int_equal(ydoc_dump(&d, &out, &len, &e), 0);
	assert_int_equal(strlen(out), len);
	struct ynode *back = parse(out, len);
	assert_same(in, back);
	/* the string with a newline stays one string: three rules, no more */
	assert_int_equal(ymap_get(back, "rules")->n, 3);
	ynode_unref(in);
	ynode_unref(back);
	free(out);
}

static void generated_strings_read_as_strings(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	static const char *const words[] = { "true", "no", "5000", "-1", ".inf", "~", "null", "", "on", "Policy",
					     "a b", "x: y", "#x", NULL };
	yaml_document_t d;
	char *out = NULL;
	size_t len;
	assert_int_equal(ydoc_init(&d, &e), 0);
	int root = ydoc_seq(&d);
	for (size_t i = 0; words[i]; i++)
		assert_int_equal(ydoc_push(&d, root, ydoc_str(&d, words[i])), 0);
	assert_int_equal(ydoc_push(&d, root, ydoc_int(&d, 20000)), 0);
	assert_int_equal(ydoc_dump(&d, &out, &len, &e), 0);
	struct ynode *back = parse(out, len);
	size_t n = 0;
	for (; words[n]; n++) {
		const struct ynode *s = back->items[n];
		assert_string_equal(s->val, words[n]);
		/* quoted, or plain where YAML 1.1 reads a string anyway */
		if (s->plain)
			assert_true(!strcmp(words[n], "Policy") || !strcmp(words[n], "a b"));
	}
	assert_string_equal(back->items[n]->val, "20000");
	assert_true(back->items[n]->plain);
	ynode_unref(back);
	free(out);
}

#define NODES                                                                                              \
	"nodes:\n"                                                                                         \
	"  - {address: 10.0.0.1, hostname_override: a, user: u, role: [etcd, controlplane]}\n"          \
	"  - {address: 10.0.0.2, hostname_override: b, user: u, role: [worker]}\n"

static struct plan *load(const char *yml)
{
	struct perr e = PERR_INIT;
	struct plan *p = NULL;
	if (plan_load_buffer("cluster.yml", yml, strlen(yml), &p, NULL, &e) < 0)
		fail_msg("plan: %s (line %d)", e.msg, e.line);
	return p;
}

/* The node's file at path, parsed (NULL when it has none); its mode in *mode. */
static struct ynode *node_file(const struct plan *p, size_t i, const char *path, unsigned *mode)
{
	struct perr e = PERR_INIT;
	struct appl_files f = { 0 };
	struct ynode *n = NULL;
	if (kube_node_files(p, i, &f, &e) < 0)
		fail_msg("kube_node_files: %s", e.msg);
	for (size_t k = 0; k < f.n; k++)
		if (!strcmp(f.v[k].path, path)) {
			n = parse(f.v[k].data, f.v[k].len);
			*mode = f.v[k].mode;
			assert_int_equal(f.v[k].uid, 0);
		}
	appl_files_free(&f);
	return n;
}

static bool plan_lists(const struct plan *p, size_t i, const char *path)
{
	size_t n;
	const struct plan_file *f = plan_node_files(p, i, &n);
	for (size_t k = 0; k < n; k++)
		if (!strcmp(f[k].path, path))
			return true;
	return false;
}

static const char *str_at(const struct ynode *m, const char *dotted)
{
	char key[64];
	while (m && *dotted) {
		size_t n = strcspn(dotted, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, dotted);
		m = m->kind == Y_SEQ ? (size_t)atoi(key) < m->n ? m->items[atoi(key)] : NULL : ymap_get(m, key);
		dotted += n + (dotted[n] == '.');
	}
	return m && m->kind == Y_SCALAR ? m->val : NULL;
}

static void the_files_policy_is_written_again(void **state)
{
	(void)state;
	static const char head[] = "kubernetes_version: v1.30.5-rancher1-1\n" NODES
				   "services:\n  kube-api:\n    audit_log:\n      enabled: true\n"
				   "      configuration:\n        policy:\n";
	struct strbuf yml = STRBUF_INIT;
	sb_adds(&yml, head);
	/* the tricky policy, indented under policy: */
	for (const char *l = tricky; *l;) {
		size_t k = strcspn(l, "\n");
		sb_printf(&yml, "          %.*s\n", (int)k, l);
		l += k + (l[k] == '\n');
	}
	assert_int_equal(yml.err, 0);
	struct plan *p = load(yml.s);
	unsigned mode = 0;
	struct ynode *policy = node_file(p, 0, PLAN_AUDIT_POLICY, &mode);
	assert_non_null(policy);
	assert_int_equal(mode, 0600);
	assert_same(plan_cluster(p)->services.kube_api.audit.policy, policy);
	/* only the control plane has it */
	assert_null(node_file(p, 1, PLAN_AUDIT_POLICY, &mode));
	assert_false(plan_lists(p, 1, PLAN_AUDIT_POLICY));
	ynode_unref(policy);
	plan_free(p);
	sb_free(&yml);
}

static void rke_defaults_without_a_policy(void **state)
{
	(void)state;
	struct plan *p = load("kubernetes_version: v1.30.5-rancher1-1\n" NODES
			      "services:\n  kube-api:\n    audit_log: {enabled: true}\n"
			      "    pod_security_configuration: restricted\n");
	unsigned mode = 0;
	struct ynode *policy = node_file(p, 0, PLAN_AUDIT_POLICY, &mode);
	assert_non_null(policy);
	assert_string_equal(str_at(policy, "apiVersion"), "audit.k8s.io/v1");
	assert_string_equal(str_at(policy, "kind"), "Policy");
	assert_int_equal(ymap_get(policy, "rules")->n, 1);
	assert_string_equal(str_at(policy, "rules.0.level"), "Metadata");
	struct ynode *adm = node_file(p, 0, PLAN_ADMISSION_CONFIG, &mode);
	assert_non_null(adm);
	assert_int_equal(mode, 0600);
	assert_string_equal(str_at(adm, "apiVersion"), "apiserver.config.k8s.io/v1");
	assert_string_equal(str_at(adm, "kind"), "AdmissionConfiguration");
	assert_int_equal(ymap_get(adm, "plugins")->n, 1);
	assert_string_equal(str_at(adm, "plugins.0.name"), "PodSecurity");
	assert_string_equal(str_at(adm, "plugins.0.configuration.apiVersion"), "pod-security.admission.config.k8s.io/v1");
	assert_string_equal(str_at(adm, "plugins.0.configuration.kind"), "PodSecurityConfiguration");
	for (const char *const *k = (const char *const[]){ "enforce", "audit", "warn", NULL }; *k; k++) {
		char path[96];
		snprintf(path, sizeof(path), "plugins.0.configuration.defaults.%s", *k);
		assert_string_equal(str_at(adm, path), "restricted");
		snprintf(path, sizeof(path), "plugins.0.configuration.defaults.%s-version", *k);
		assert_string_equal(str_at(adm, path), "latest");
	}
	assert_string_equal(str_at(adm, "plugins.0.configuration.exemptions.namespaces.0"), "ingress-nginx");
	assert_string_equal(str_at(adm, "plugins.0.configuration.exemptions.namespaces.1"), "kube-system");
	ynode_unref(policy);
	ynode_unref(adm);
	plan_free(p);
}

static void privileged_before_1_25_and_event_rate_limit(void **state)
{
	(void)state;
	/* privileged is RKE's default from 1.23; 1.24 reads v1beta1 */
	struct plan *p = load("kubernetes_version: v1.24.17-rancher1-1\n" NODES
			      "services:\n  kube-api:\n    audit_log: {enabled: false}\n"
			      "    event_rate_limit: {enabled: true}\n");
	unsigned mode = 0;
	assert_null(node_file(p, 0, PLAN_AUDIT_POLICY, &mode));
	assert_false(plan_lists(p, 0, PLAN_AUDIT_POLICY));
	struct ynode *adm = node_file(p, 0, PLAN_ADMISSION_CONFIG, &mode);
	assert_non_null(adm);
	assert_int_equal(ymap_get(adm, "plugins")->n, 2);
	assert_string_equal(str_at(adm, "plugins.0.name"), "EventRateLimit");
	assert_string_equal(str_at(adm, "plugins.0.configuration.kind"), "Configuration");
	assert_string_equal(str_at(adm, "plugins.0.configuration.limits.0.type"), "Server");
	assert_string_equal(str_at(adm, "plugins.0.configuration.limits.0.qps"), "5000");
	assert_string_equal(str_at(adm, "plugins.0.configuration.limits.0.burst"), "20000");
	assert_string_equal(str_at(adm, "plugins.1.name"), "PodSecurity");
	assert_string_equal(str_at(adm, "plugins.1.configuration.apiVersion"),
			    "pod-security.admission.config.k8s.io/v1beta1");
	assert_string_equal(str_at(adm, "plugins.1.configuration.defaults.enforce"), "privileged");
	assert_null(str_at(adm, "plugins.1.configuration.defaults.warn"));
	assert_null(ymap_get(ymap_get(ymap_get(adm, "plugins")->items[1], "configuration"), "exemptions"));
	ynode_unref(adm);
	plan_free(p);
}

static void the_files_plugins_win(void **state)
{
	(void)state;
	struct plan *p = load("kubernetes_version: v1.30.5-rancher1-1\n" NODES
			      "services:\n  kube-api:\n"
			      "    pod_security_configuration: restricted\n"
			      "    event_rate_limit:\n      enabled: true\n"
			      "      configuration: {apiVersion: eventratelimit.admission.k8s.io/v1alpha1, kind: Configuration,"
			      " limits: [{type: Namespace, qps: 50, burst: 100, cacheSize: 2000}]}\n"
			      "    admission_configuration:\n"
			      "      apiVersion: apiserver.config.k8s.io/v1\n      kind: AdmissionConfiguration\n"
			      "      plugins:\n        - name: PodSecurity\n          path: /etc/psa.yaml\n");
	unsigned mode = 0;
	struct ynode *adm = node_file(p, 0, PLAN_ADMISSION_CONFIG, &mode);
	assert_non_null(adm);
	assert_int_equal(ymap_get(adm, "plugins")->n, 2);
	assert_string_equal(str_at(adm, "plugins.0.name"), "PodSecurity");
	assert_string_equal(str_at(adm, "plugins.0.path"), "/etc/psa.yaml");
	assert_null(ymap_get(ymap_get(adm, "plugins")->items[0], "configuration"));
	assert_string_equal(str_at(adm, "plugins.1.name"), "EventRateLimit");
	assert_same(plan_cluster(p)->services.kube_api.event_rate_limit_config,
		    ymap_get(ymap_get(adm, "plugins")->items[1], "configuration"));
	ynode_unref(adm);
	plan_free(p);
}

static void extra_args_elsewhere_mean_no_file(void **state)
{
	(void)state;
	struct plan *p = load("kubernetes_version: v1.30.5-rancher1-1\n" NODES
			      "services:\n  kube-api:\n    audit_log: {enabled: true}\n"
			      "    event_rate_limit: {enabled: true}\n"
			      "    extra_args: {audit-policy-file: /etc/mine/policy.yaml,"
			      " admission-control-config-file: /etc/mine/admission.yaml}\n");
	unsigned mode = 0;
	assert_false(plan_lists(p, 0, PLAN_AUDIT_POLICY));
	assert_false(plan_lists(p, 0, PLAN_ADMISSION_CONFIG));
	assert_null(node_file(p, 0, PLAN_AUDIT_POLICY, &mode));
	assert_null(node_file(p, 0, PLAN_ADMISSION_CONFIG, &mode));
	plan_free(p);
}

static void a_custom_encryption_config_is_written_again(void **state)
{
	(void)state;
	struct plan *p = load("kubernetes_version: v1.30.5-rancher1-1\n" NODES
			      "services:\n  kube-api:\n    secrets_encryption_config:\n      enabled: true\n"
			      "      custom_config:\n        apiVersion: apiserver.config.k8s.io/v1\n"
			      "        kind: EncryptionConfiguration\n"
			      "        resources:\n          - resources: [secrets]\n            providers:\n"
			      "              - aescbc: {keys: [{name: k1, secret: \"c2VjcmV0IGlzIHNlY3VyZQ==\"}]}\n"
			      "              - identity: {}\n");
	unsigned mode = 0;
	struct ynode *enc = node_file(p, 0, PLAN_ENCRYPTION_CONFIG, &mode);
	assert_non_null(enc);
	assert_int_equal(mode, 0600);
	assert_same(plan_cluster(p)->services.kube_api.encryption_custom_config, enc);
	ynode_unref(enc);
	plan_free(p);
}

/* authentication.strategy with webhook: the kubeconfig the apiserver's
 * flag names is in the layer, RKE's default or the user's text as given */
static void the_webhook_kubeconfig_is_written(void **state)
{
	(void)state;
	static const char head[] = "kubernetes_version: v1.30.5-rancher1-1\n" NODES "authentication:\n"
				   "  strategy: x509|webhook\n";
	struct plan *p = load(head);
	unsigned mode = 0;
	struct ynode *k = node_file(p, 0, PLAN_AUTHN_WEBHOOK, &mode);
	assert_non_null(k);
	assert_int_equal(mode, 0600);
	assert_true(plan_lists(p, 0, PLAN_AUTHN_WEBHOOK));
	assert_false(plan_lists(p, 1, PLAN_AUTHN_WEBHOOK));
	assert_string_equal(str_at(k, "clusters.0.cluster.server"), "http://127.0.0.1:6440/v1/authenticate");
	const struct ynode *users = ymap_get(k, "users");
	assert_true(users && users->kind == Y_SEQ && users->n == 1);
	const struct ynode *v = ymap_get(ymap_get(users->items[0], "user"), "insecure-skip-tls-verify");
	assert_non_null(v);
	assert_true(v->plain); /* a boolean, not the string "true" */
	assert_string_equal(v->val, "true");
	assert_string_equal(str_at(k, "current-context"), "webhook");
	assert_string_equal(str_at(k, "contexts.0.context.cluster"), "Default");
	ynode_unref(k);
	plan_free(p);

	struct strbuf yml = STRBUF_INIT;
	sb_printf(&yml, "%s  webhook:\n    config_file: \"clusters: [{name: mine, cluster: {server: 'https://authn:8443/'}}]\\n\"\n", head);
	assert_int_equal(yml.err, 0);
	p = load(yml.s);
	k = node_file(p, 0, PLAN_AUTHN_WEBHOOK, &mode);
	assert_non_null(k);
	assert_string_equal(str_at(k, "clusters.0.cluster.server"), "https://authn:8443/");
	ynode_unref(k);
	plan_free(p);
	sb_free(&yml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_tree_reads_back_the_same),
		cmocka_unit_test(generated_strings_read_as_strings),
		cmocka_unit_test(the_files_policy_is_written_again),
		cmocka_unit_test(rke_defaults_without_a_policy),
		cmocka_unit_test(privileged_before_1_25_and_event_rate_limit),
		cmocka_unit_test(the_files_plugins_win),
		cmocka_unit_test(extra_args_elsewhere_mean_no_file),
		cmocka_unit_test(a_custom_encryption_config_is_written_again),
		cmocka_unit_test(the_webhook_kubeconfig_is_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
