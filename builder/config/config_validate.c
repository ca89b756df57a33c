/* Validation of the cluster model: first what `rke up` itself refuses, in
 * the order RKE checks it (cluster/cluster.go, cluster/hosts.go,
 * cluster/validation.go), each message naming RKE's own wording; then where
 * paddock is stricter (errors for what cannot work on an appliance image,
 * warnings for what RKE silently accepts); then paddock's boot keys. */
#include "config/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_schema.h"
#include "config/k8s_defaults.h"
#include "config/netaddr.h"

struct vctx {
	struct cluster *c;
	struct diag_list *diags;
	struct perr *err;
};

/* Position of key's value in mapping m, else of m, else 1:1. */
static void pos(const struct ynode *m, const char *key, int *line, int *col)
{
	const struct ynode *v = key ? ymap_get(m, key) : NULL;
	if (v) {
		*line = v->line, *col = v->col;
		return;
	}
	if (m) {
		*line = m->line, *col = m->col;
		return;
	}
	*line = 1, *col = 1;
}

/* Position of the key itself (for "this section ..." messages). */
static void keypos(const struct ynode *m, const char *key, int *line, int *col)
{
	for (size_t i = 0; m && m->kind == Y_MAP && i < m->n; i++)
		if (!strcmp(ymap_key(m, i)->val, key)) {
			*line = ymap_key(m, i)->line, *col = ymap_key(m, i)->col;
			return;
		}
	pos(m, NULL, line, col);
}

static const struct ynode *ypath(const struct ynode *root, const char *dotted)
{
	const struct ynode *n = root;
	char *dup = strdup(dotted), *save = NULL;
	if (!dup)
		return NULL;
	for (char *t = strtok_r(dup, ".", &save); t && n; t = strtok_r(NULL, ".", &save))
		n = ymap_get(n, t);
	free(dup);
	return n;
}

#define FAIL_AT(v, line, col, ...) perr_setat((v)->err, -EINVAL, (v)->c->file, line, col, __VA_ARGS__)

/* Error at the value of `dotted` (a path of mapping keys), or at its
 * nearest existing parent. */
static int fail_path(struct vctx *v, const char *dotted, const char *fmt, const char *a1,
		     const char *a2)
{
	const struct ynode *n = ypath(v->c->root, dotted);
	int line = 1, col = 1;
	if (!n) {
		/* nearest parent */
		char *dup = strdup(dotted);
		while (dup && !n) {
			char *dot = strrchr(dup, '.');
			if (!dot)
				break;
			*dot = '\0';
			n = ypath(v->c->root, dup);
		}
		free(dup);
	}
	if (n)
		line = n->line, col = n->col;
	char *msg = NULL;
	if (asprintf(&msg, fmt, a1 ? a1 : "", a2 ? a2 : "") < 0)
		return perr_set(v->err, -ENOMEM, "out of memory");
	int r = FAIL_AT(v, line, col, "%s: %s", dotted, msg);
	free(msg);
	return r;
}

static void warn_path(struct vctx *v, const char *dotted, const char *fmt, const char *a1)
{
	const struct ynode *n = ypath(v->c->root, dotted);
	char *msg = NULL;
	if (asprintf(&msg, fmt, a1 ? a1 : "") < 0)
		return;
	diag_add(v->diags, v->c->file, n ? n->line : 0, n ? n->col : 0, "%s: %s", dotted, msg);
	free(msg);
}

/* --- RKE's checks ---------------------------------------------------------- */

static bool dns1123_subdomain(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	bool start = true;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool an = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (ch == '.') {
			if (start || s[i - 1] == '-')
				return false;
			start = true;
			continue;
		}
		if (!an && ch != '-')
			return false;
		if (start && !an)
			return false;
		start = false;
	}
	return !start && s[n - 1] != '-';
}

static int check_version(struct vctx *v)
{
	struct cluster *c = v->c;
	int a, b, d;
	if (!c->kubernetes_version_set)
		return 0;
	if (c->kubernetes_version[0] != 'v')
		return fail_path(v, "kubernetes_version", "%s is not valid version (RKE wants a 'v' "
				 "and a semantic version, e.g. v1.32.5-rancher1-1)%s",
				 c->kubernetes_version, NULL);
	if (!cfg_k8s_version(c->kubernetes_version, &a, &b, &d))
		return fail_path(v, "kubernetes_version", "%s is not valid semver%s",
				 c->kubernetes_version, NULL);
	return 0;
}

static bool cidr_list_ok(const char *s, int *count)
{
	char *dup = strdup(s), *save = NULL;
	bool ok = dup != NULL;
	*count = 0;
	for (char *t = dup ? strtok_r(dup, ",", &save) : NULL; t && ok; t = strtok_r(NULL, ",", &save)) {
		struct ipaddr a;
		int p;
		while (*t == ' ')
			t++;
		ok = cidr_parse(t, &a, &p);
		(*count)++;
	}
	free(dup);
	return ok && *count > 0;
}

static int check_network_options(struct vctx *v)
{
	int n;
	const char *r = v->c->services.kube_api.service_cluster_ip_range;
	if (!cidr_list_ok(r, &n))
		return fail_path(v, "services.kube-api.service_cluster_ip_range",
				 "invalid CIDR address: %s (RKE: Failed to get kubernetes service IP)%s",
				 r, NULL);
	return 0;
}

static const char *role_names[] = { "etcd", "controlplane", "worker", NULL };

static const struct ynode *node_list(struct vctx *v)
{
	return ymap_get(v->c->root, "nodes");
}

static int check_roles(struct vctx *v)
{
	const struct ynode *nl = node_list(v);
	for (size_t i = 0; i < v->c->nnodes; i++) {
		const struct cfg_node *n = &v->c->nodes[i];
		const struct ynode *rl = ymap_get(n->y, "role");
		for (size_t j = 0; j < n->role.n; j++) {
			bool ok = false;
			for (int k = 0; role_names[k]; k++)
				ok |= !strcmp(n->role.v[j], role_names[k]);
			if (ok)
				continue;
			const struct ynode *it = rl && rl->kind == Y_SEQ && j < rl->n ? rl->items[j] : n->y;
			return FAIL_AT(v, it ? it->line : nl->line, it ? it->col : nl->col,
				       "nodes[%zu].role[%zu]: unknown role `%s`; roles are etcd, "
				       "controlplane and worker (RKE: Failed to recognize host [%s] role %s)",
				       i, j, n->role.v[j], n->address ? n->address : "", n->role.v[j]);
		}
	}
	return 0;
}

/* Finds two equal non-NULL keys; of all such pairs the one whose later
 * member comes first (what a nested loop over the list reports first), in
 * O(n log n) since node lists come from outside. */
struct keyed {
	const char *key;
	size_t idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int find_dup(const char *const *keys, size_t n, size_t *first, size_t *second)
{
	struct keyed *k = malloc((n ? n : 1) * sizeof(*k));
	size_t m = 0;
	bool found = false;
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (keys[i])
			k[m++] = (struct keyed){ keys[i], i };
	qsort(k, m, sizeof(*k), cmp_keyed);
	for (size_t i = 0; i + 1 < m; i++) {
		if (strcmp(k[i].key, k[i + 1].key) || (i > 0 && !strcmp(k[i - 1].key, k[i].key)))
			continue;
		if (!found || k[i + 1].idx < *second) {
			*first = k[i].idx;
			*second = k[i + 1].idx;
			found = true;
		}
	}
	free(k);
	return found;
}

static const char *node_addr(const struct cfg_node *n) { return n->address ? n->address : ""; }

static int check_duplicates(struct vctx *v)
{
	size_t n = v->c->nnodes, a1 = 0, a2 = 0, h1 = 0, h2 = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return perr_set(v->err, -ENOMEM, "out of memory");
	/* nodes without an address count as duplicates of each other, as in RKE */
	for (size_t i = 0; i < n; i++)
		keys[i] = node_addr(&v->c->nodes[i]);
	int da = find_dup(keys, n, &a1, &a2);
	for (size_t i = 0; i < n; i++)
		keys[i] = v->c->nodes[i].hostname_override;
	int dh = da < 0 ? 0 : find_dup(keys, n, &h1, &h2);
	free(keys);
	if (da < 0 || dh < 0)
		return perr_set(v->err, -ENOMEM, "out of memory");
	if (!da && !dh)
		return 0;
	bool by_addr = da && (!dh || a2 <= h2);
	size_t j = by_addr ? a1 : h1, i = by_addr ? a2 : h2;
	const struct cfg_node *a = &v->c->nodes[j], *b = &v->c->nodes[i];
	const char *key = by_addr ? (b->address ? "address" : NULL)
				  : ymap_get(b->y, "hostname_override") ? "hostname_override" : "address";
	const char *what = by_addr ? node_addr(b) : b->hostname_override;
	int line, col;
	pos(b->y, key, &line, &col);
	return FAIL_AT(v, line, col,
		       "nodes[%zu]%s%s: same node as nodes[%zu] (line %d) (RKE: Cluster can't have "
		       "duplicate node: %s)", i, key ? "." : "", key ? key : "", j,
		       a->y ? a->y->line : 0, what);
}

static int check_hosts(struct vctx *v)
{
	for (size_t i = 0; i < v->c->nnodes; i++) {
		const struct cfg_node *n = &v->c->nodes[i];
		int line, col;
		pos(n->y, NULL, &line, &col);
		if (!n->address || !*n->address)
			return FAIL_AT(v, line, col, "nodes[%zu].address: is required (RKE: Address for "
				       "host (%zu) is not provided)", i, i + 1);
		if (!n->user || !*n->user)
			return FAIL_AT(v, line, col, "nodes[%zu].user: is required (RKE: User for host "
				       "(%zu) is not provided)", i, i + 1);
		if (n->role.n == 0)
			return FAIL_AT(v, line, col, "nodes[%zu].role: is required (RKE: Role for host "
				       "(%zu) is not provided)", i, i + 1);
		if (!dns1123_subdomain(n->hostname_override)) {
			bool own = ymap_get(n->y, "hostname_override") &&
				   !ynode_is_null(ymap_get(n->y, "hostname_override"));
			pos(n->y, own ? "hostname_override" : "address", &line, &col);
			return FAIL_AT(v, line, col,
				       "nodes[%zu].%s: `%s` is not a valid host name: lower-case letters, "
				       "digits, '-' and '.', starting and ending alphanumeric (RKE: "
				       "Hostname_override [%s] for host (%zu) is not valid)%s",
				       i, own ? "hostname_override" : "address", n->hostname_override,
				       n->hostname_override, i + 1,
				       own ? "" : "; set hostname_override");
		}
	}
	return 0;
}

static int check_authn(struct vctx *v)
{
	char *dup = strdup(v->c->authentication.strategy), *save = NULL;
	bool x509 = false;
	int r = 0;
	if (!dup)
		return perr_set(v->err, -ENOMEM, "out of memory");
	for (char *p = dup; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (char *t = strtok_r(dup, "|", &save); t && !r; t = strtok_r(NULL, "|", &save)) {
		if (!strcmp(t, "x509"))
			x509 = true;
		else if (strcmp(t, "webhook"))
			r = fail_path(v, "authentication.strategy",
				      "Authentication strategy [%s] is not supported%s", t, NULL);
	}
	if (!r && !x509)
		r = fail_path(v, "authentication.strategy", "Authentication strategy must contain "
			      "[x509]%s%s", NULL, NULL);
	free(dup);
	return r;
}

static bool in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static int check_network(struct vctx *v)
{
	static const char *const plugins[] = { "canal", "flannel", "calico", "weave", "aci", "none", NULL };
	struct cluster *c = v->c;
	if (!in_set(c->network.plugin, plugins))
		return fail_path(v, "network.plugin", "Network plugin [%s] is not supported; use "
				 "canal, flannel, calico, weave, aci or none%s", c->network.plugin, NULL);
	if (!strcmp(c->network.plugin, "flannel") && c->network.mtu != 0)
		return fail_path(v, "network.mtu", "Network plugin [flannel] does not support "
				 "configuring MTU%s%s", NULL, NULL);
	int n;
	if (cidr_list_ok(c->services.kube_api.service_cluster_ip_range, &n) && n > 1 &&
	    strcmp(c->network.plugin, "calico") && strcmp(c->network.plugin, "aci"))
		return fail_path(v, "network.plugin", "Network plugin [%s] does not support IPv6 "
				 "(dualstack)%s", c->network.plugin, NULL);
	return 0;
}

static int check_ingress(struct vctx *v)
{
	static const char *const providers[] = { "nginx", "none", NULL };
	static const char *const policies[] = { "ClusterFirst", "ClusterFirstWithHostNet", "None",
						"Default", NULL };
	static const char *const modes[] = { "hostNetwork", "hostPort", "none", NULL };
	struct cluster *c = v->c;
	if (!in_set(c->ingress.provider, providers))
		return fail_path(v, "ingress.provider", "Ingress controller %s is incorrect (nginx or "
				 "none)%s", c->ingress.provider, NULL);
	if (c->ingress.dns_policy && *c->ingress.dns_policy && !in_set(c->ingress.dns_policy, policies))
		return fail_path(v, "ingress.dns_policy", "DNSPolicy %s was not a valid DNS Policy%s",
				 c->ingress.dns_policy, NULL);
	if (!in_set(c->ingress.network_mode, modes))
		return fail_path(v, "ingress.network_mode", "NetworkMode %s was not a valid network "
				 "mode%s", c->ingress.network_mode, NULL);
	if (!strcmp(c->ingress.network_mode, "hostPort")) {
		if (c->ingress.https_port < 0 || c->ingress.https_port > 65535)
			return fail_path(v, "ingress.https_port", "https port is invalid. Needs to be "
					 "within 0 to 65535%s%s", NULL, NULL);
		if (c->ingress.http_port < 0 || c->ingress.http_port > 65535)
			return fail_path(v, "ingress.http_port", "http port is invalid. Needs to be "
					 "within 0 to 65535%s%s", NULL, NULL);
		if (c->ingress.http_port == c->ingress.https_port)
			return fail_path(v, "ingress.https_port", "http and https ports need to be "
					 "different%s%s", NULL, NULL);
	}
	return 0;
}

static int check_cri_and_psa(struct vctx *v)
{
	struct cluster *c = v->c;
	int maj = 1, min = 99, patch = 0;
	(void)cfg_k8s_version(c->kubernetes_version, &maj, &min, &patch);
	bool old = maj == 1 && min < 21;
	if (c->enable_cri_dockerd == CFG_TRUE && old)
		return fail_path(v, "enable_cri_dockerd", "Enabling cri-dockerd for cluster version "
				 "[%s] is not supported%s", c->kubernetes_version, NULL);
	const char *psa = c->services.kube_api.pod_security_configuration;
	if (psa && *psa) {
		if (strcmp(c->authorization.mode, "rbac"))
			return fail_path(v, "services.kube-api.pod_security_configuration",
					 "PodSecurity can't be enabled with RBAC support disabled%s%s",
					 NULL, NULL);
		if (maj == 1 && min < 23)
			return fail_path(v, "services.kube-api.pod_security_configuration",
					 "cluster version must be at least v1.23 to use PodSecurity in "
					 "RKE%s%s", NULL, NULL);
		if (strcmp(psa, "privileged") && strcmp(psa, "restricted"))
			return fail_path(v, "services.kube-api.pod_security_configuration",
					 "invalid pod_security_configuration [%s]. Supported values: "
					 "[privileged, restricted]%s", psa, NULL);
	}
	return 0;
}

static int check_services(struct vctx *v)
{
	struct cfg_etcd *e = &v->c->services.etcd;
	if (e->external_urls.n) {
		if (!e->ca_cert || !*e->ca_cert)
			return fail_path(v, "services.etcd.ca_cert", "External CA Certificate for etcd "
					 "can't be empty%s%s", NULL, NULL);
		if (!e->cert || !*e->cert)
			return fail_path(v, "services.etcd.cert", "External Client Certificate for "
					 "etcd can't be empty%s%s", NULL, NULL);
		if (!e->key || !*e->key)
			return fail_path(v, "services.etcd.key", "External Client Key for etcd can't "
					 "be empty%s%s", NULL, NULL);
		if (!e->path || !*e->path)
			return fail_path(v, "services.etcd.path", "External etcd path can't be "
					 "empty%s%s", NULL, NULL);
	}
	if (e->backup.s3.present) {
		if (!e->backup.s3.endpoint || !*e->backup.s3.endpoint)
			return fail_path(v, "services.etcd.backup_config.s3backupconfig.endpoint",
					 "etcd s3 backup backend endpoint can't be empty%s%s", NULL, NULL);
		if (!e->backup.s3.bucket_name || !*e->backup.s3.bucket_name)
			return fail_path(v, "services.etcd.backup_config.s3backupconfig.bucket_name",
					 "etcd s3 backup backend bucketName can't be empty%s%s", NULL, NULL);
		const char *ca = e->backup.s3.custom_ca;
		if (ca && *ca && !strstr(ca, "-----BEGIN CERTIFICATE-----"))
			return fail_path(v, "services.etcd.backup_config.s3backupconfig.custom_ca",
					 "invalid S3 endpoint CA certificate: not a PEM certificate%s%s",
					 NULL, NULL);
	}
	return 0;
}

static int check_audit_policy(struct vctx *v)
{
	const struct ynode *p = v->c->services.kube_api.audit.policy;
	if (!p)
		return 0;
	const struct ynode *kind = ymap_get(p, "kind");
	if (!kind || kind->kind != Y_SCALAR || strcmp(kind->val, "Policy"))
		return FAIL_AT(v, p->line, p->col, "services.kube-api.audit_log.configuration.policy: "
			       "needs `kind: Policy` (RKE: error parsing audit log config: error "
			       "decoding audit policy)");
	return 0;
}

static int check_etcd_count(struct vctx *v)
{
	struct cluster *c = v->c;
	size_t etcd = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		etcd += cfg_has_role(&c->nodes[i], "etcd");
	int line, col;
	keypos(c->root, "nodes", &line, &col);
	if (etcd && c->services.etcd.external_urls.n)
		return fail_path(v, "services.etcd.external_urls", "Cluster can't have both "
				 "internal and external etcd%s%s", NULL, NULL);
	if (!etcd && !c->services.etcd.external_urls.n)
		return FAIL_AT(v, line, col, "nodes: no node has the etcd role; a cluster needs one "
			       "or more (RKE only finds this out after connecting: Cluster must have "
			       "at least one etcd plane host)");
	if (etcd > PADDOCK_MAX_ETCD)
		return FAIL_AT(v, line, col, "nodes: %zu etcd nodes: etcd clusters beyond %d members "
			       "do not work well (every write waits for a majority); paddock refuses "
			       "more than %d", etcd, 7, PADDOCK_MAX_ETCD);
	if (etcd > 7)
		diag_add(v->diags, c->file, line, col, "nodes: %zu etcd nodes: more than 7 members "
			 "slow every write; 3 or 5 are usual", etcd);
	if (etcd && etcd % 2 == 0)
		diag_add(v->diags, c->file, line, col,
			 "nodes: %zu etcd nodes: an even count adds no fault tolerance over %zu "
			 "(quorum needs %zu); use an odd number", etcd, etcd - 1, etcd / 2 + 1);
	return 0;
}

/* --- stricter than RKE ------------------------------------------------------ */

static bool windows_path(const char *p)
{
	return p && ((isalpha((unsigned char)p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/')) ||
		     strchr(p, '\\'));
}

static int check_ssh_paths(struct vctx *v)
{
	struct cluster *c = v->c;
	const char *what = "Windows path";
	if (windows_path(c->ssh_key_path) && ymap_get(c->root, "ssh_key_path"))
		return fail_path(v, "ssh_key_path", "`%s` is a %s: it cannot be read on Linux, so "
				 "no node can be reached (RKE: Error while reading SSH key file)",
				 c->ssh_key_path, what);
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		if (!windows_path(n->ssh_key_path) || !ymap_get(n->y, "ssh_key_path"))
			continue;
		int line, col;
		pos(n->y, "ssh_key_path", &line, &col);
		return FAIL_AT(v, line, col, "nodes[%zu].ssh_key_path: `%s` is a Windows path: it "
			       "cannot be read on Linux (RKE: Error while reading SSH key file)", i,
			       n->ssh_key_path);
	}
	if (windows_path(c->bastion.ssh_key_path) && ypath(c->root, "bastion_host.ssh_key_path"))
		return fail_path(v, "bastion_host.ssh_key_path", "`%s` is a %s: it cannot be read "
				 "on Linux (RKE: Error while reading SSH key file)",
				 c->bastion.ssh_key_path, what);
	return 0;
}

static bool port_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 5)
		return false;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535;
}

static int check_ranges(struct vctx *v)
{
	struct cluster *c = v->c;
	if (c->nnodes > PADDOCK_MAX_NODES) {
		int line, col;
		keypos(c->root, "nodes", &line, &col);
		return FAIL_AT(v, line, col, "nodes: %zu nodes: paddock builds at most %d nodes from "
			       "one file", c->nnodes, PADDOCK_MAX_NODES);
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		if (port_ok(n->port))
			continue;
		int line, col;
		pos(n->y, "port", &line, &col);
		return FAIL_AT(v, line, col, "nodes[%zu].port: `%s` is not a TCP port (1-65535)", i,
			       n->port);
	}
	if (c->bastion.port && !port_ok(c->bastion.port))
		return fail_path(v, "bastion_host.port", "`%s` is not a TCP port (1-65535)%s",
				 c->bastion.port, NULL);
	const char *ids[2] = { "uid", "gid" };
	long long vals[2] = { c->services.etcd.uid, c->services.etcd.gid };
	for (int i = 0; i < 2; i++) {
		if (vals[i] >= 0 && vals[i] <= 2147483647LL)
			continue;
		char path[32], num[32];
		snprintf(path, sizeof(path), "services.etcd.%s", ids[i]);
		snprintf(num, sizeof(num), "%lld", vals[i]);
		return fail_path(v, path, "%s is out of range for a %s (0-2147483647)", num, ids[i]);
	}
	/* every node's plan repeats these lists: keep plans bounded */
	static const char *const svcs[] = { "etcd", "kube-api", "kube-controller", "scheduler",
					    "kubelet", "kubeproxy" };
	const struct cfg_service *bases[] = { &c->services.etcd.base, &c->services.kube_api.base,
					      &c->services.kube_controller.base, &c->services.scheduler,
					      &c->services.kubelet.base, &c->services.kubeproxy };
	for (int i = 0; i < 6; i++) {
		const struct cfg_service *b = bases[i];
		size_t arr = 0;
		for (size_t j = 0; j < b->extra_args_array.n; j++)
			arr += b->extra_args_array.vals[j].n;
		const char *what = b->extra_args.n > PADDOCK_MAX_SERVICE_LIST ? "extra_args"
				 : arr > PADDOCK_MAX_SERVICE_LIST ? "extra_args_array"
				 : b->extra_binds.n > PADDOCK_MAX_SERVICE_LIST ? "extra_binds"
				 : b->extra_env.n > PADDOCK_MAX_SERVICE_LIST ? "extra_env" : NULL;
		if (!what)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "services.%s.%s", svcs[i], what);
		char lim[16];
		snprintf(lim, sizeof(lim), "%d", PADDOCK_MAX_SERVICE_LIST);
		return fail_path(v, path, "more than %s entries; paddock refuses such a list%s", lim, NULL);
	}
	if (c->authentication.sans.n > PADDOCK_MAX_SANS) {
		char lim[16];
		snprintf(lim, sizeof(lim), "%d", PADDOCK_MAX_SANS);
		return fail_path(v, "authentication.sans", "more than %s names for one certificate%s",
				 lim, NULL);
	}
	if (c->addon_job_timeout < 0)
		return fail_path(v, "addon_job_timeout", "must not be negative%s%s", NULL, NULL);
	return 0;
}

static void stricter_warnings(struct vctx *v)
{
	struct cluster *c = v->c;
	struct cfg_etcd *e = &c->services.etcd;
	if ((e->uid != 0) != (e->gid != 0))
		warn_path(v, e->uid ? "services.etcd.uid" : "services.etcd.gid",
			  "RKE only runs etcd as a dedicated user when both uid and gid are set; "
			  "etcd will run as root%s", NULL);
	if (strcmp(c->authorization.mode, "rbac"))
		warn_path(v, "authorization.mode", "`%s`: RBAC is off, every authenticated client "
			  "may do anything", c->authorization.mode);
	if (strcmp(c->monitoring.provider, "metrics-server") && strcmp(c->monitoring.provider, "none"))
		warn_path(v, "monitoring.provider", "`%s` is neither metrics-server nor none; RKE "
			  "deploys metrics-server anyway", c->monitoring.provider);
	if (strcmp(c->dns.provider, "coredns") && strcmp(c->dns.provider, "kube-dns") &&
	    strcmp(c->dns.provider, "none"))
		warn_path(v, "dns.provider", "`%s` is not coredns, kube-dns or none; RKE deploys no "
			  "DNS", c->dns.provider);
	if (!dns1123_subdomain(c->cluster_name))
		warn_path(v, "cluster_name", "`%s` is not a DNS name (lower-case letters, digits, "
			  "'-', '.'); it is used in kubeconfig context names", c->cluster_name);
	size_t ndef = 0;
	for (size_t i = 0; i < c->nregistries; i++) {
		ndef += c->registries[i].is_default;
		const char *u = c->registries[i].url;
		if (strstr(u, "://")) {
			int line, col;
			pos(c->registries[i].y, "url", &line, &col);
			diag_add(v->diags, c->file, line, col,
				 "private_registries[%zu].url: `%s` has a scheme; image references need "
				 "host[:port][/path], so pulls through it will fail", i, u);
		}
	}
	if (ndef > 1)
		warn_path(v, "private_registries", "%s registries have is_default: true; only the "
			  "first is used", ndef == 2 ? "two" : "several");
	if (!c->kubernetes_version_set)
		diag_add(v->diags, c->file, 0, 0,
			 "kubernetes_version: not set; paddock uses %s (pin it to build the same "
			 "images tomorrow)", k8s_default_version());
	/* RKE overrides these per-node keys with the cluster's, silently */
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ynode *aa = ymap_get(c->nodes[i].y, "ssh_agent_auth");
		bool b;
		if (aa && yscalar_bool(aa, &b) && b != c->ssh_agent_auth)
			diag_add(v->diags, c->file, aa->line, aa->col,
				 "nodes[%zu].ssh_agent_auth: RKE replaces it with the cluster-level "
				 "ssh_agent_auth (%s)", i, c->ssh_agent_auth ? "true" : "false");
	}
	if (c->ssh_cert_path && *c->ssh_cert_path)
		warn_path(v, "ssh_cert_path", "RKE does not pass the cluster-level ssh_cert_path to "
			  "nodes; set it per node%s", NULL);
	if (c->services.kube_api.audit.present && !c->services.kube_api.audit.enabled)
		warn_path(v, "services.kube-api.audit_log.enabled", "audit logging is off%s", NULL);
}

/* --- paddock's boot keys ------------------------------------------------------ */

static int boot_fail(struct vctx *v, const struct ynode *blk, const char *prefix, const char *key,
		     const char *fmt, const char *a)
{
	const struct ynode *at = blk;
	const char *k = key;
	if (key && !strncmp(key, "network.", 8)) {
		at = ymap_get(blk, "network");
		k = key + 8;
		if (!at || at->kind != Y_MAP)
			at = blk, k = "network";
	}
	int line, col;
	pos(at, k, &line, &col);
	if (!blk)
		pos(NULL, NULL, &line, &col);
	char *msg = NULL;
	if (asprintf(&msg, fmt, a ? a : "") < 0)
		return perr_set(v->err, -ENOMEM, "out of memory");
	int r = FAIL_AT(v, line, col, "%s.%s: %s", prefix, key, msg);
	free(msg);
	return r;
}

static int check_boot(struct vctx *v, const struct cfg_boot *b, const struct ynode *blk,
		      const char *prefix, const struct cfg_node *node)
{
	struct ipaddr a, g;
	int plen = 0;
	if (b->net_mode && strcmp(b->net_mode, "dhcp") && strcmp(b->net_mode, "static"))
		return boot_fail(v, blk, prefix, "network.mode", "`%s`: use dhcp or static", b->net_mode);
	bool stat = b->net_mode && !strcmp(b->net_mode, "static");
	if (b->net_address) {
		if (!cidr_parse(b->net_address, &a, &plen))
			return boot_fail(v, blk, prefix, "network.address", "`%s` is not an address "
					 "with a prefix length, e.g. 10.10.0.11/24", b->net_address);
		if (ip4_is_net_or_bcast(&a, plen))
			return boot_fail(v, blk, prefix, "network.address", "`%s` is the network or "
					 "broadcast address of its prefix, not a host address",
					 b->net_address);
	}
	if (b->net_gateway && !ip_parse(b->net_gateway, &g))
		return boot_fail(v, blk, prefix, "network.gateway", "`%s` is not an IP address",
				 b->net_gateway);
	for (size_t i = 0; i < b->dns.n; i++) {
		struct ipaddr d;
		if (!ip_parse(b->dns.v[i], &d))
			return boot_fail(v, blk, prefix, "network.dns", "`%s` is not an IP address",
					 b->dns.v[i]);
	}
	if (node) {
		if (stat && !b->net_address)
			return boot_fail(v, blk, prefix, "network.address", "mode static needs an "
					 "address (e.g. 10.10.0.11/24)%s", NULL);
		if (!stat && b->net_address && ymap_get(ymap_get(blk, "network"), "address"))
			return boot_fail(v, blk, prefix, "network.address", "an address is given but "
					 "mode is dhcp; set mode: static%s", NULL);
		if (stat && b->net_gateway) {
			if (!ip_same_prefix(&a, &g, plen))
				return boot_fail(v, blk, prefix, "network.gateway", "`%s` is outside "
						 "the node's prefix", b->net_gateway);
			if (!memcmp(a.b, g.b, sizeof(a.b)))
				return boot_fail(v, blk, prefix, "network.gateway", "`%s` is the "
						 "node's own address", b->net_gateway);
		}
		if (stat && b->net_address) {
			/* the static address should be one RKE uses for the node */
			char *ip = strndup(b->net_address, strcspn(b->net_address, "/"));
			if (ip && strcmp(ip, node->address ? node->address : "") &&
			    strcmp(ip, node->internal_address ? node->internal_address : "")) {
				int line, col;
				pos(ymap_get(blk, "network"), "address", &line, &col);
				diag_add(v->diags, v->c->file, line, col,
					 "%s.network.address: %s is neither the node's address nor "
					 "its internal_address", prefix, ip);
			}
			free(ip);
		}
	}
	if (b->state_disk && *b->state_disk && strncmp(b->state_disk, "/dev/", 5))
		return boot_fail(v, blk, prefix, "state_disk", "`%s` is not a block device path "
				 "(/dev/...)", b->state_disk);
	if (b->kernel_args)
		for (const char *p = b->kernel_args; *p; p++)
			if ((unsigned char)*p < 0x20)
				return boot_fail(v, blk, prefix, "kernel_args", "control characters "
						 "(newline, tab, ...) are not allowed%s", NULL);
	return 0;
}

/* Two nodes booting with one MAC or one static address cannot both work. */
static int check_boot_dups(struct vctx *v)
{
	struct cluster *c = v->c;
	size_t n = c->nnodes, first = 0, second = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	char **ips = calloc(n ? n : 1, sizeof(*ips));
	int r = 0;
	if (!keys || !ips) {
		r = perr_set(v->err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = c->nodes[i].boot.mac;
	int d = find_dup(keys, n, &first, &second);
	if (d < 0) {
		r = perr_set(v->err, -ENOMEM, "out of memory");
		goto out;
	}
	if (d) {
		char prefix[48], msg[64];
		snprintf(prefix, sizeof(prefix), "nodes[%zu].paddock", second);
		snprintf(msg, sizeof(msg), "%%s is also the MAC of nodes[%zu]", first);
		const struct ynode *blk = ymap_get(c->nodes[second].y, "paddock");
		r = boot_fail(v, blk ? blk : c->nodes[second].y, prefix, "mac", msg,
			      c->nodes[second].boot.mac);
		goto out;
	}
	/* static addresses, compared as addresses (10.0.0.1/24 vs 10.0.0.1/16) */
	for (size_t i = 0; i < n; i++) {
		const struct cfg_boot *b = &c->nodes[i].boot;
		struct ipaddr a;
		int p;
		keys[i] = NULL;
		if (b->net_address && !strcmp(b->net_mode, "static") && cidr_parse(b->net_address, &a, &p)) {
			char buf[64];
			if (!inet_ntop(a.family, a.b, buf, sizeof(buf)) || !(ips[i] = strdup(buf))) {
				r = perr_set(v->err, -ENOMEM, "out of memory");
				goto out;
			}
			keys[i] = ips[i];
		}
	}
	d = find_dup(keys, n, &first, &second);
	if (d < 0)
		r = perr_set(v->err, -ENOMEM, "out of memory");
	else if (d) {
		char prefix[48], msg[64];
		snprintf(prefix, sizeof(prefix), "nodes[%zu].paddock", second);
		snprintf(msg, sizeof(msg), "%%s is also the address of nodes[%zu]", first);
		const struct ynode *blk = ymap_get(c->nodes[second].y, "paddock");
		r = boot_fail(v, blk ? blk : c->nodes[second].y, prefix, "network.address", msg,
			      c->nodes[second].boot.net_address);
	}
out:
	for (size_t i = 0; ips && i < n; i++)
		free(ips[i]);
	free(ips);
	free(keys);
	return r;
}

static int check_paddock(struct vctx *v)
{
	struct cluster *c = v->c;
	struct cfg_paddock *p = &c->paddock;
	const struct ynode *pd = ymap_get(c->root, "paddock");
	static const char *const kernels[] = { "generic", "cloud", NULL };
	static const char *const comps[] = { "zstd", "gzip", "xz", "none", NULL };
	static const char *const formats[] = { "kernel", "iso", "pxe", "ipxe", NULL };
	int r;
	if (!in_set(p->kernel, kernels))
		return fail_path(v, "paddock.kernel", "`%s`: use generic (hardware) or cloud (VMs)%s",
				 p->kernel, NULL);
	if (!in_set(p->compression, comps))
		return fail_path(v, "paddock.compression", "`%s`: use zstd, gzip, xz or none%s",
				 p->compression, NULL);
	if (p->formats.n == 0)
		return fail_path(v, "paddock.formats", "is empty: nothing would be built (leave it out "
				 "for all of kernel, iso, pxe, ipxe)%s%s", NULL, NULL);
	for (size_t i = 0; i < p->formats.n; i++) {
		if (!in_set(p->formats.v[i], formats))
			return fail_path(v, "paddock.formats", "`%s`: formats are kernel, iso, pxe and "
					 "ipxe%s", p->formats.v[i], NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->formats.v[i], p->formats.v[j]))
				return fail_path(v, "paddock.formats", "`%s` is listed twice%s",
						 p->formats.v[i], NULL);
	}
	if (p->http_base && *p->http_base && strncmp(p->http_base, "http://", 7) &&
	    strncmp(p->http_base, "https://", 8))
		return fail_path(v, "paddock.http_base", "`%s` is not an http:// or https:// URL%s",
				 p->http_base, NULL);
	if (!*p->console || strpbrk(p->console, " /\t\n"))
		return fail_path(v, "paddock.console", "`%s` is not a console device name (e.g. "
				 "ttyS0 or ttyS0,115200)%s", p->console, NULL);
	if (p->menu_timeout < 0 || p->menu_timeout > 3600)
		return fail_path(v, "paddock.menu_timeout", "must be 0-3600 seconds%s%s", NULL, NULL);
	if ((r = check_boot(v, &p->defaults, ymap_get(pd, "defaults"), "paddock.defaults", NULL)) < 0)
		return r;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		const struct ynode *blk = ymap_get(n->y, "paddock");
		char prefix[48];
		snprintf(prefix, sizeof(prefix), "nodes[%zu].paddock", i);
		const struct ynode *at = blk ? blk : n->y;
		if (n->boot.mac) {
			char norm[18];
			if (!mac_parse(n->boot.mac, norm))
				return boot_fail(v, at, prefix, "mac", "`%s` is not a MAC address "
						 "(aa:bb:cc:dd:ee:ff)", n->boot.mac);
			unsigned first = (unsigned)strtoul(norm, NULL, 16);
			if (first & 1)
				return boot_fail(v, at, prefix, "mac", "`%s` is a multicast address, "
						 "not a NIC's", norm);
			if (!strcmp(norm, "00:00:00:00:00:00"))
				return boot_fail(v, at, prefix, "mac", "`%s` is not a usable address",
						 norm);
			strcpy(c->nodes[i].boot.mac, norm);
		}
		if ((r = check_boot(v, &n->boot, at, prefix, n)) < 0)
			return r;
	}
	return 0;
}

int config_validate(struct cluster *c, struct diag_list *diags, struct perr *err)
{
	struct vctx v = { c, diags, err };
	int (*const steps[])(struct vctx *) = {
		check_audit_policy,     /* ParseConfig */
		check_ranges,           /* paddock: numbers that cannot work */
		check_version,          /* setClusterDefaults (setCRIDockerd) */
		check_network_options,  /* setNetworkOptions */
		check_roles,            /* InvertIndexHosts */
		check_duplicates,       /* ValidateCluster ... */
		check_hosts,
		check_authn,
		check_network,
		check_ingress,
		check_cri_and_psa,
		check_services,
		check_etcd_count,       /* ValidateHostCount (after SSH in RKE) */
		check_ssh_paths,        /* paddock: what fails at SSH time in RKE */
		check_paddock,
		check_boot_dups,
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		int r = steps[i](&v);
		if (r < 0)
			return r;
	}
	stricter_warnings(&v);
	return 0;
}
