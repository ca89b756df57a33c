/* validate_rke: what `rke up` itself refuses, each message naming RKE's
 * own wording (cluster/cluster.go, cluster/hosts.go, cluster/validation.go).
 * config_validate.c runs these in RKE's order. */
#include "config/validate_rke.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/netaddr.h"
#include "config/strset.h"

int rke_check_audit_policy(struct vctx *v)
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

int rke_check_network_options(struct vctx *v)
{
	int n;
	const char *r = v->c->services.kube_api.service_cluster_ip_range;
	if (!cidr_list_ok(r, &n))
		return fail_path(v, "services.kube-api.service_cluster_ip_range",
				 "invalid CIDR address: %s (RKE: Failed to get kubernetes service IP)%s",
				 r, NULL);
	return 0;
}

static const char *const role_names[] = { "etcd", "controlplane", "worker", NULL };

int rke_check_roles(struct vctx *v)
{
	const struct ynode *nl = ymap_get(v->c->root, "nodes");
	for (size_t i = 0; i < v->c->nnodes; i++) {
		const struct cfg_node *n = &v->c->nodes[i];
		const struct ynode *rl = ymap_get(n->y, "role");
		for (size_t j = 0; j < n->role.n; j++) {
			if (str_in_set(n->role.v[j], role_names))
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

static const char *node_addr(const struct cfg_node *n) { return n->address ? n->address : ""; }

int rke_check_duplicates(struct vctx *v)
{
	size_t n = v->c->nnodes, a1 = 0, a2 = 0, h1 = 0, h2 = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return fail_oom(v);
	/* nodes without an address count as duplicates of each other, as in RKE */
	for (size_t i = 0; i < n; i++)
		keys[i] = node_addr(&v->c->nodes[i]);
	int da = find_duplicate(keys, n, &a1, &a2);
	for (size_t i = 0; i < n; i++)
		keys[i] = v->c->nodes[i].hostname_override;
	int dh = da < 0 ? 0 : find_duplicate(keys, n, &h1, &h2);
	free(keys);
	if (da < 0 || dh < 0)
		return fail_oom(v);
	if (!da && !dh)
		return 0;
	bool by_addr = da && (!dh || a2 <= h2);
	size_t j = by_addr ? a1 : h1, i = by_addr ? a2 : h2;
	const struct cfg_node *a = &v->c->nodes[j], *b = &v->c->nodes[i];
	const char *key = by_addr ? (b->address ? "address" : NULL)
				  : ymap_get(b->y, "hostname_override") ? "hostname_override" : "address";
	const char *what = by_addr ? node_addr(b) : b->hostname_override;
	int line, col;
	value_pos(b->y, key, &line, &col);
	return FAIL_AT(v, line, col,
		       "nodes[%zu]%s%s: same node as nodes[%zu] (line %d) (RKE: Cluster can't have "
		       "duplicate node: %s)", i, key ? "." : "", key ? key : "", j,
		       a->y ? a->y->line : 0, what);
}

int rke_check_hosts(struct vctx *v)
{
	for (size_t i = 0; i < v->c->nnodes; i++) {
		const struct cfg_node *n = &v->c->nodes[i];
		int line, col;
		value_pos(n->y, NULL, &line, &col);
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
			value_pos(n->y, own ? "hostname_override" : "address", &line, &col);
			const char *why = own ? NULL : node_address_problem(n->address);
			if (why)   /* the address is the mistake, not the name made of it */
				return FAIL_AT(v, line, col, "nodes[%zu].address: `%s` %s: write the "
					       "node's IP address or host name (RKE: Hostname_override "
					       "[%s] for host (%zu) is not valid)", i, n->address, why,
					       n->hostname_override, i + 1);
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

int rke_check_authn(struct vctx *v)
{
	char *dup = strdup(v->c->authentication.strategy), *save = NULL;
	bool x509 = false;
	int r = 0;
	if (!dup)
		return fail_oom(v);
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

/* Whether version lies in ACI's dual-stack ranges: >=1.23.16-rancher2-3
 * <=1.23.99, >=1.24.13-rancher2-2 <=1.24.99, >=1.25.9-rancher2-2. */
static bool aci_dualstack_version(const char *version)
{
	static const struct { int min, patch; const char *pre; } from[] = {
		{ 23, 16, "rancher2-3" }, { 24, 13, "rancher2-2" }, { 25, 9, "rancher2-2" },
	};
	int maj = 0, min = 0, patch = 0;
	if (!cfg_k8s_version(version, &maj, &min, &patch) || maj != 1)
		return maj > 1;
	const char *dash = strchr(version, '-');
	const char *pre = dash ? dash + 1 : NULL;   /* a release sorts after its pre-releases */
	for (size_t i = 0; i < sizeof(from) / sizeof(*from); i++) {
		bool last = i + 1 == sizeof(from) / sizeof(*from);
		if (min != from[i].min && !(last && min > from[i].min))
			continue;
		if (min > from[i].min || patch > from[i].patch)
			return true;
		return patch == from[i].patch && (!pre || strcmp(pre, from[i].pre) >= 0);
	}
	return false;
}

int rke_check_network(struct vctx *v)
{
	static const char *const plugins[] = { "canal", "flannel", "calico", "weave", "aci", "none", NULL };
	struct cluster *c = v->c;
	if (!str_in_set(c->network.plugin, plugins))
		return fail_path(v, "network.plugin", "Network plugin [%s] is not supported; use "
				 "canal, flannel, calico, weave, aci or none%s", c->network.plugin, NULL);
	if (!strcmp(c->network.plugin, "flannel") && c->network.mtu != 0)
		return fail_path(v, "network.mtu", "Network plugin [flannel] does not support "
				 "configuring MTU%s%s", NULL, NULL);
	if (!strcmp(c->network.plugin, "weave") && c->k8s_rules.weave_removed)
		return fail_path(v, "network.plugin", "weave CNI support is removed for k8s version "
				 ">=1.30.0 (%s); use canal, flannel or calico", c->kubernetes_version, NULL);
	/* RKE counts the comma-separated ranges of either, parsed or not */
	if (!strchr(c->services.kube_api.service_cluster_ip_range, ',') &&
	    !strchr(c->services.kube_controller.cluster_cidr, ','))
		return 0;
	if (strcmp(c->network.plugin, "calico") && strcmp(c->network.plugin, "aci"))
		return fail_path(v, "network.plugin", "Network plugin [%s] does not support IPv6 "
				 "(dualstack)%s", c->network.plugin, NULL);
	if (!strcmp(c->network.plugin, "aci") && !aci_dualstack_version(c->kubernetes_version))
		return fail_path(v, "network.plugin", "Cluster version [%s] does not have dualstack "
				 "supported aci cni version%s", c->kubernetes_version, NULL);
	return 0;
}

int rke_check_ingress(struct vctx *v)
{
	static const char *const providers[] = { "nginx", "none", NULL };
	static const char *const policies[] = { "ClusterFirst", "ClusterFirstWithHostNet", "None",
						"Default", NULL };
	static const char *const modes[] = { "hostNetwork", "hostPort", "none", NULL };
	struct cluster *c = v->c;
	if (!str_in_set(c->ingress.provider, providers))
		return fail_path(v, "ingress.provider", "Ingress controller %s is incorrect (nginx or "
				 "none)%s", c->ingress.provider, NULL);
	if (c->ingress.dns_policy && *c->ingress.dns_policy && !str_in_set(c->ingress.dns_policy, policies))
		return fail_path(v, "ingress.dns_policy", "DNSPolicy %s was not a valid DNS Policy%s",
				 c->ingress.dns_policy, NULL);
	if (!str_in_set(c->ingress.network_mode, modes))
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

/* A value RKE requires, and its message when it is missing. */
struct required {
	const char *val, *path, *msg;
};

static int check_required(struct vctx *v, const struct required *req, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!req[i].val || !*req[i].val)
			return fail_path(v, req[i].path, "%s%s", req[i].msg, NULL);
	return 0;
}

int rke_check_services(struct vctx *v)
{
	const struct cfg_etcd *e = &v->c->services.etcd;
	const struct cfg_s3 *s3 = &e->backup.s3;
	const struct required external[] = {
		{ e->ca_cert, "services.etcd.ca_cert", "External CA Certificate for etcd can't be empty" },
		{ e->cert, "services.etcd.cert", "External Client Certificate for etcd can't be empty" },
		{ e->key, "services.etcd.key", "External Client Key for etcd can't be empty" },
		{ e->path, "services.etcd.path", "External etcd path can't be empty" },
	};
	const struct required backup[] = {
		{ s3->endpoint, "services.etcd.backup_config.s3backupconfig.endpoint",
		  "etcd s3 backup backend endpoint can't be empty" },
		{ s3->bucket_name, "services.etcd.backup_config.s3backupconfig.bucket_name",
		  "etcd s3 backup backend bucketName can't be empty" },
	};
	int r;
	if (e->external_urls.n && (r = check_required(v, external, 4)) < 0)
		return r;
	if (!s3->present)
		return 0;
	if ((r = check_required(v, backup, 2)) < 0)
		return r;
	if (s3->custom_ca && *s3->custom_ca && !strstr(s3->custom_ca, "-----BEGIN CERTIFICATE-----"))
		return fail_path(v, "services.etcd.backup_config.s3backupconfig.custom_ca",
				 "invalid S3 endpoint CA certificate: not a PEM certificate%s%s",
				 NULL, NULL);
	return 0;
}

/* ValidateHostCount: RKE checks it only after connecting to the nodes. */
int rke_check_etcd_count(struct vctx *v)
{
	struct cluster *c = v->c;
	size_t etcd = cfg_role_count(c, "etcd");
	if (etcd && c->services.etcd.external_urls.n)
		return fail_path(v, "services.etcd.external_urls", "Cluster can't have both "
				 "internal and external etcd%s%s", NULL, NULL);
	if (!etcd && !c->services.etcd.external_urls.n) {
		int line, col;
		key_pos(c->root, "nodes", &line, &col);
		return FAIL_AT(v, line, col, "nodes: no node has the etcd role; a cluster needs one "
			       "or more (RKE only finds this out after connecting: Cluster must have "
			       "at least one etcd plane host)");
	}
	return 0;
}
