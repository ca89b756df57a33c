/* The cluster's PKI from a plan (pki/pki.h): every node gets the files the
 * plan lists, with its own keys only, etcd's owned by etcd's uid:gid; the
 * certificates verify against their CA; a second run keeps everything;
 * rotation renews leaves (and with --ca the CAs); the node layer keeps the
 * owners; the operator's files are private. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "build/build.h"
#include "components/listfile.h"
#include "fsutil.h"
#include "image/node_layer.h"
#include "pki/cert.h"
#include "pki/pki.h"
#include "testutil.h"

SCRATCH_GROUP("pki-issue")

#define NOW 1800000000LL

#define CLUSTER_YML(sans) \
	"cluster_name: t\n" \
	"kubernetes_version: v1.30.5-rancher1-1\n" \
	"nodes:\n" \
	"  - {address: 10.1.0.1, hostname_override: n1, user: u, role: [etcd, controlplane, worker]}\n" \
	"  - {address: 10.1.0.2, hostname_override: n2, user: u, role: [etcd, controlplane, worker]}\n" \
	"  - {address: 10.1.0.3, hostname_override: n3, user: u, role: [etcd, worker]}\n" \
	"  - {address: 10.1.0.4, internal_address: 192.168.0.4, hostname_override: n4, user: u, role: [worker]}\n" \
	"services:\n" \
	"  etcd: {uid: 1001, gid: 1002}\n" \
	"  kube-api:\n" \
	"    secrets_encryption_config: {enabled: true}\n" \
	"authentication:\n" \
	"  sans: [" sans "]\n"
static const char cluster_yml[] = CLUSTER_YML("api.example.internal");

static struct plan *plan_of(const char *yml)
{
	struct plan *p = NULL;
	struct perr err = PERR_INIT;
	if (plan_load_buffer("cluster.yml", yml, strlen(yml), &p, NULL, &err) < 0)
		fail_msg("plan: %s", err.msg);
	return p;
}

static struct pki_state *open_state(const char *name, long long now)
{
	char *f = path_join(dir, name);
	struct pki_state_opts o = { .now = now, .create = true };
	struct pki_state *st = NULL;
	struct perr err = PERR_INIT;
	if (pki_state_open(f, &o, &st, &err) < 0)
		fail_msg("open: %s", err.msg);
	free(f);
	return st;
}

/* Every node's files, as a build gathers them. */
static void node_files(struct pki_state *st, const struct plan *p, struct appl_files *f)
{
	struct perr err = PERR_INIT;
	if (pki_issue_cluster(st, p, &err) < 0)
		fail_msg("cluster: %s", err.msg);
	for (size_t i = 0; i < plan_node_count(p); i++)
		if (pki_node_files(st, p, i, &f[i], &err) < 0)
			fail_msg("node %zu: %s", i, err.msg);
}

static const struct appl_file *find(const struct appl_files *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].path, path))
			return &f->v[i];
	return NULL;
}

static X509 *cert_of(const char *pem)
{
	X509 *x = NULL;
	struct perr err = PERR_INIT;
	assert_int_equal(pki_cert_from_pem(pem, "cert", &x, &err), 0);
	return x;
}

static void verifies(const char *ca_pem, const char *leaf_pem)
{
	X509 *ca = cert_of(ca_pem), *leaf = cert_of(leaf_pem);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	assert_true(X509_STORE_add_cert(store, ca));
	assert_true(X509_STORE_CTX_init(ctx, store, leaf, NULL));
	X509_STORE_CTX_set_time(ctx, 0, (time_t)NOW);
	if (X509_verify_cert(ctx) != 1)
		fail_msg("verify: %s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(ca);
	X509_free(leaf);
}

static bool is_private(const char *data)
{
	return strstr(data, "PRIVATE KEY") || strstr(data, "client-key-data") || strstr(data, "secret: ");
}

static void every_node_its_own_files(void **state)
{
	(void)state;
	struct plan *p = plan_of(cluster_yml);
	size_t n = plan_node_count(p);
	struct pki_state *st = open_state("a.yml", NOW);
	struct appl_files f[4] = { 0 };
	node_files(st, p, f);
	const char *ca = pki_get(st, NULL, "kube-ca.pem"), *fp = pki_get(st, NULL, "kube-apiserver-requestheader-ca.pem");
	assert_non_null(ca);
	assert_non_null(fp);
	for (size_t i = 0; i < n; i++) {
		/* every file the plan has from the state is there, at its mode */
		size_t np;
		const struct plan_file *pf = plan_node_files(p, i, &np);
		for (size_t k = 0; k < np; k++) {
			if (strncmp(pf[k].path, "/etc/kubernetes/ssl/", 20) || !strcmp(pf[k].source, "cluster.yml"))
				continue;
			const struct appl_file *a = find(&f[i], pf[k].path);
			if (!a)
				fail_msg("node %zu: %s missing", i, pf[k].path);
			assert_int_equal(a->mode, pf[k].mode);
			assert_int_equal(strlen(a->data), a->len);
		}
		size_t nc;
		const struct plan_cert *c = plan_node_certs(p, i, &nc);
		for (size_t k = 0; k < nc; k++) {
			char *crt = NULL, *key = NULL;
			assert_true(asprintf(&crt, "/etc/kubernetes/ssl/%s.pem", c[k].name) > 0);
			assert_true(asprintf(&key, "/etc/kubernetes/ssl/%s-key.pem", c[k].name) > 0);
			const struct appl_file *a = find(&f[i], crt), *b = find(&f[i], key);
			assert_non_null(a);
			assert_non_null(b);
			assert_int_equal(b->mode, 0600);
			verifies(strcmp(c[k].name, PKI_FRONT_PROXY_CLIENT) ? ca : fp, a->data);
			/* the SANs the plan lists, nothing else */
			X509 *x = cert_of(a->data);
			for (size_t s = 0; c[k].sans && c[k].sans[s]; s++)
				if (X509_check_host(x, c[k].sans[s], 0, 0, NULL) != 1 &&
				    X509_check_ip_asc(x, c[k].sans[s], 0) != 1)
					fail_msg("%s: no SAN %s", c[k].name, c[k].sans[s]);
			X509_free(x);
			/* etcd's files are etcd's */
			unsigned want = strncmp(c[k].name, "kube-etcd-", 10) ? 0 : 1001;
			assert_int_equal(a->uid, want);
			assert_int_equal(b->uid, want);
			assert_int_equal(b->gid, want ? 1002 : 0);
			free(crt);
			free(key);
		}
	}
	/* a private file of one node is in no other node, and no CA key anywhere,
	 * except what the control plane shares (service-account key, encryption) */
	const char *cluster_secrets[] = { "kube-ca-key.pem", "kube-apiserver-requestheader-ca-key.pem",
					  "ssh-ca-key", "kube-admin-key.pem", "kube-etcd-client-key.pem" };
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < f[i].n; k++) {
			const struct appl_file *a = &f[i].v[k];
			for (size_t s = 0; s < sizeof cluster_secrets / sizeof *cluster_secrets; s++)
				assert_null(strstr(a->data, pki_get(st, NULL, cluster_secrets[s])));
			if (!is_private(a->data) || strstr(a->path, "service-account") || strstr(a->path, "encryption"))
				continue;
			for (size_t j = 0; j < n; j++)
				for (size_t m = 0; j != i && m < f[j].n; m++)
					if (strstr(f[j].v[m].data, a->data))
						fail_msg("%s of node %zu is in node %zu", a->path, i, j);
		}
	/* the service-account key and the encryption config: control plane only */
	assert_non_null(find(&f[0], "/etc/kubernetes/ssl/kube-service-account-token-key.pem"));
	assert_null(find(&f[2], "/etc/kubernetes/ssl/kube-service-account-token-key.pem"));
	const struct appl_file *enc = find(&f[1], "/etc/kubernetes/ssl/encryption.yaml");
	assert_non_null(enc);
	assert_non_null(strstr(enc->data, "secretbox"));
	assert_non_null(strstr(enc->data, pki_get(st, NULL, PKI_ENCRYPTION_KEY)));
	const struct appl_file *kc = find(&f[3], "/etc/kubernetes/ssl/kubecfg-kube-proxy.yaml");
	assert_non_null(kc);
	assert_non_null(strstr(kc->data, "    server: \"https://127.0.0.1:6443\"\n"));
	assert_non_null(strstr(kc->data, "    client-key: /etc/kubernetes/ssl/kube-proxy-key.pem\n"));
	for (size_t i = 0; i < n; i++)
		appl_files_free(&f[i]);
	pki_state_close(st);
	plan_free(p);
}

/* The state file's bytes, for comparing runs. */
static char *state_bytes(const char *name)
{
	char *path = path_join(dir, name), *buf = NULL;
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t cap = 1 << 20, n;
	buf = calloc(1, cap + 1);
	n = fread(buf, 1, cap, fp);
	assert_true(n > 0 && n < cap);
	fclose(fp);
	free(path);
	return buf;
}

static void issue_all_saved(const char *name, const char *yml, long long now, bool rotate, bool ca)
{
	struct plan *p = plan_of(yml);
	struct pki_state *st = open_state(name, now);
	struct perr err = PERR_INIT;
	if (rotate)
		assert_true(pki_rotate(st, ca) > 0);
	if (pki_issue_all(st, p, &err) < 0 || pki_state_save(st, &err) < 0)
		fail_msg("issue: %s", err.msg);
	pki_state_close(st);
	plan_free(p);
}

static char *slot(const char *name, const char *node, const char *s)
{
	struct pki_state *st = open_state(name, NOW);
	const char *v = pki_get(st, node, s);
	char *copy = v ? strdup(v) : NULL;
	pki_state_close(st);
	return copy;
}

static void kept_changed_and_rotated(void **state)
{
	(void)state;
	issue_all_saved("b.yml", cluster_yml, NOW, false, false);
	char *first = state_bytes("b.paddock-state");
	/* a later run with the same file keeps every byte */
	issue_all_saved("b.yml", cluster_yml, NOW + 86400, false, false);
	char *second = state_bytes("b.paddock-state");
	assert_string_equal(first, second);
	char *ca = slot("b.yml", NULL, "kube-ca.pem"), *node_key = slot("b.yml", "n1", "kube-node-key.pem");
	char *apikey = slot("b.yml", "n1", "kube-apiserver-key.pem"), *api = slot("b.yml", "n1", "kube-apiserver.pem");

	/* a new SAN: a new certificate for the same key */
	char *more = strdup(CLUSTER_YML("api.example.internal, other.example.internal"));
	issue_all_saved("b.yml", more, NOW, false, false);
	char *api2 = slot("b.yml", "n1", "kube-apiserver.pem"), *apikey2 = slot("b.yml", "n1", "kube-apiserver-key.pem");
	assert_string_not_equal(api, api2);
	assert_string_equal(apikey, apikey2);
	X509 *x = cert_of(api2);
	assert_int_equal(X509_check_host(x, "other.example.internal", 0, 0, NULL), 1);
	X509_free(x);

	/* rotation: new leaves, same CA; with --ca a new CA too */
	issue_all_saved("b.yml", more, NOW, true, false);
	char *node_key2 = slot("b.yml", "n1", "kube-node-key.pem"), *ca2 = slot("b.yml", NULL, "kube-ca.pem");
	assert_string_not_equal(node_key, node_key2);
	assert_string_equal(ca, ca2);
	char *host = slot("b.yml", "n1", PKI_SLOT_SSH_HOST_KEY);
	issue_all_saved("b.yml", more, NOW, true, true);
	char *ca3 = slot("b.yml", NULL, "kube-ca.pem"), *leaf3 = slot("b.yml", "n3", "kube-node.pem");
	char *host3 = slot("b.yml", "n1", PKI_SLOT_SSH_HOST_KEY);
	assert_string_not_equal(ca, ca3);
	verifies(ca3, leaf3);
	assert_string_equal(host, host3); /* a node keeps its SSH identity */
	char *strs[] = { first, second, ca, node_key, apikey, api, more, api2, apikey2, node_key2, ca2, host, ca3, leaf3, host3 };
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		free(strs[i]);
}

static void expiry_is_noticed(void **state)
{
	(void)state;
	issue_all_saved("c.yml", cluster_yml, NOW, false, false);
	struct plan *p = plan_of(cluster_yml);
	struct pki_state *st = open_state("c.yml", NOW + 300 * 86400LL);
	struct perr err = PERR_INIT;
	assert_int_equal(pki_issue_all(st, p, &err), 0);
	const char *what;
	long long end = pki_state_first_expiry(st, &what);
	assert_true(end > NOW + 364 * 86400LL && end <= NOW + 365 * 86400LL);
	assert_non_null(strstr(what, "kube-"));
	size_t n;
	pki_state_renewals(st, &n);
	assert_int_equal(n, 0); /* 65 days left: nothing renewed */
	pki_state_close(st);
	plan_free(p);
}

static bool listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Leaves that end within 30 days are renewed (same key, new certificate,
 * said in pki_state_renewals); CAs are not. */
static void expiring_leaves_are_renewed(void **state)
{
	(void)state;
	issue_all_saved("r.yml", cluster_yml, NOW, false, false);
	char *ca = slot("r.yml", NULL, "kube-ca.pem"), *node = slot("r.yml", "n1", "kube-node.pem"),
	     *key = slot("r.yml", "n1", "kube-node-key.pem"), *admin = slot("r.yml", NULL, "kube-admin.pem");
	long long later = NOW + 350 * 86400LL;
	struct plan *p = plan_of(cluster_yml);
	struct pki_state *st = open_state("r.yml", later);
	struct perr err = PERR_INIT;
	assert_int_equal(pki_issue_all(st, p, &err), 0);
	size_t n;
	char *const *renewed = pki_state_renewals(st, &n);
	assert_true(n > 4);
	assert_true(listed(renewed, n, "node n1's kube-node"));
	assert_true(listed(renewed, n, "node n4's kube-node"));
	assert_true(listed(renewed, n, "the cluster's kube-admin"));
	assert_false(listed(renewed, n, "the cluster's kube-ca"));
	const char *what;
	assert_int_equal(pki_state_first_expiry(st, &what), later + 365 * 86400LL);
	assert_int_equal(pki_state_save(st, &err), 0);
	pki_state_close(st);
	plan_free(p);
	char *ca2 = slot("r.yml", NULL, "kube-ca.pem"), *node2 = slot("r.yml", "n1", "kube-node.pem"),
	     *key2 = slot("r.yml", "n1", "kube-node-key.pem"), *admin2 = slot("r.yml", NULL, "kube-admin.pem");
	assert_string_equal(ca, ca2);
	assert_string_equal(key, key2);
	assert_string_not_equal(node, node2);
	assert_string_not_equal(admin, admin2);
	X509 *x = cert_of(node2);
	assert_int_equal(pki_cert_not_after(x), later + 365 * 86400LL);
	X509_free(x);
	char *strs[] = { ca, node, key, admin, ca2, node2, key2, admin2 };
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		free(strs[i]);
}

static bool not_n4(void *ctx, const char *node)
{
	(void)ctx;
	return strcmp(node, "n4") != 0;
}

static void removed_nodes_are_forgotten(void **state)
{
	(void)state;
	issue_all_saved("f.yml", cluster_yml, NOW, false, false);
	struct pki_state *st = open_state("f.yml", NOW);
	struct strv gone = STRV_INIT;
	struct perr err = PERR_INIT;
	assert_non_null(pki_get(st, "n4", "kube-node-key.pem"));
	assert_int_equal(pki_forget_nodes(st, not_n4, NULL, &gone), 1);
	assert_int_equal(gone.n, 1);
	assert_string_equal(gone.v[0], "n4");
	assert_int_equal(pki_state_save(st, &err), 0);
	pki_state_close(st);
	strv_clear(&gone);
	char *k4 = slot("f.yml", "n4", "kube-node-key.pem"), *h4 = slot("f.yml", "n4", PKI_SLOT_SSH_HOST_KEY),
	     *k1 = slot("f.yml", "n1", "kube-node-key.pem"), *ca = slot("f.yml", NULL, "kube-ca.pem");
	assert_null(k4);
	assert_null(h4);
	assert_non_null(k1);
	assert_non_null(ca);
	char *all = state_bytes("f.paddock-state");
	assert_null(strstr(all, "\"n4\""));
	free(all);
	free(k1);
	free(ca);
}

static void node_layer_keeps_owners(void **state)
{
	(void)state;
	struct nodecfg cfg = { 0 };
	assert_int_equal(nodecfg_add(&cfg, "node.name", "n1"), 0);
	struct node_file files[] = {
		{ "/etc/kubernetes/ssl/kube-etcd-x-key.pem", "k", 1, 0600, 1001, 1002 },
		{ "/etc/kubernetes/ssl/kube-ca.pem", "c", 1, 0644, 0, 0 },
	};
	struct build_node bn = { .name = "n1", .cmdline = "", .cfg = &cfg, .files = files, .nfiles = 2 };
	struct layer l = { 0 };
	struct perr err = PERR_INIT;
	assert_int_equal(node_layer(&bn, &l, &err), 0);
	const struct lent *e = layer_find(&l, "/etc/kubernetes/ssl/kube-etcd-x-key.pem");
	assert_non_null(e);
	assert_int_equal(e->uid, 1001);
	assert_int_equal(e->gid, 1002);
	assert_int_equal(e->perm, 0600);
	e = layer_find(&l, "/etc/kubernetes/ssl/kube-ca.pem");
	assert_int_equal(e->uid, 0);
	layer_free(&l);
	nodecfg_free(&cfg);
}

static void operator_files_are_private(void **state)
{
	(void)state;
	struct plan *p = plan_of(cluster_yml);
	struct pki_state *st = open_state("d.yml", NOW);
	struct perr err = PERR_INIT;
	struct strv added = STRV_INIT;
	char *out = path_join(dir, "out");
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(pki_issue_all(st, p, &err), 0);
	/* OUT as given ("/x/out/"); dir, where the files go, is its temporary */
	assert_int_equal(pki_operator_files(st, p, "/some/where/d.yml", "/x/out/", out, &added, &err), 0);
	static const char *const want[] = { "kube_config_d.yml", "etcd/ca.pem", "etcd/client.pem",
					    "etcd/client-key.pem", "etcd/etcdctl.env", "known_hosts", "ssh_config",
					    "n1/report.key", "n2/report.key", "n3/report.key", "n4/report.key" };
	assert_int_equal(added.n, 11);
	for (size_t i = 0; i < 11; i++) {
		assert_string_equal(added.v[i], want[i]);
		char *q = path_join(out, want[i]);
		struct stat sb;
		assert_int_equal(stat(q, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0600);
		free(q);
	}
	char *etcd = path_join(out, "etcd");
	struct stat sb;
	assert_int_equal(stat(etcd, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	/* each node's report key: the state's, in the node's own 0700 folder */
	char *rk = NULL, *rkp = path_join(out, "n2/report.key"), *n2 = path_join(out, "n2");
	size_t rklen;
	assert_int_equal(stat(n2, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(read_file(rkp, 1 << 16, &rk, &rklen, &err), 0);
	assert_int_equal(rklen, 65);
	assert_string_equal(rk, pki_get(st, "n2", "report.key"));
	assert_string_not_equal(rk, pki_get(st, "n1", "report.key"));
	free(rk);
	free(rkp);
	free(n2);
	char *env = NULL, *cfg = NULL, *envp = path_join(out, "etcd/etcdctl.env"), *cfgp = path_join(out, "kube_config_d.yml");
	size_t len;
	assert_int_equal(read_file(envp, 1 << 16, &env, &len, &err), 0);
	assert_non_null(strstr(env, "\nETCDCTL_ENDPOINTS=https://10.1.0.1:2379,https://10.1.0.2:2379,https://10.1.0.3:2379\n"));
	assert_non_null(strstr(env, "\nETCDCTL_API=3\n"));
	assert_int_equal(read_file(cfgp, 1 << 16, &cfg, &len, &err), 0);
	assert_non_null(strstr(cfg, "    server: \"https://10.1.0.1:6443\"\n  name: \"t\"\n"));
	assert_non_null(strstr(cfg, "    user: \"kube-admin-t\"\n"));
	char *sc = NULL, *scp = path_join(out, "ssh_config");
	assert_int_equal(read_file(scp, 1 << 16, &sc, &len, &err), 0);
	assert_non_null(strstr(sc, "\tUserKnownHostsFile \"out/known_hosts\" known_hosts\n"));
	free(sc);
	free(scp);
	verifies(pki_get(st, NULL, "kube-ca.pem"), pki_get(st, NULL, "kube-etcd-client.pem"));
	X509 *admin = cert_of(pki_get(st, NULL, "kube-admin.pem"));
	char org[64] = "";
	X509_NAME_get_text_by_NID(X509_get_subject_name(admin), NID_organizationName, org, sizeof org);
	assert_string_equal(org, "system:masters");
	X509_free(admin);
	free(env);
	free(cfg);
	free(envp);
	free(cfgp);
	free(etcd);
	free(out);
	strv_clear(&added);
	pki_state_close(st);
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_node_its_own_files),
		cmocka_unit_test(kept_changed_and_rotated),
		cmocka_unit_test(expiry_is_noticed),
		cmocka_unit_test(expiring_leaves_are_renewed),
		cmocka_unit_test(removed_nodes_are_forgotten),
		cmocka_unit_test(node_layer_keeps_owners),
		cmocka_unit_test(operator_files_are_private),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
