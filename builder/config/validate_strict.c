/* validate_strict: where paddock is stricter than RKE: errors for what
 * cannot work on an appliance image or would blow up every node's plan,
 * warnings for what RKE silently accepts or overrides. */
#include "config/validate_strict.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config/config_schema.h"
#include "config/netaddr.h"

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

int strict_check_ranges(struct vctx *v)
{
	struct cluster *c = v->c;
	if (c->nnodes > PADDOCK_MAX_NODES) {
		int line, col;
		key_pos(c->root, "nodes", &line, &col);
		return FAIL_AT(v, line, col, "nodes: %zu nodes: paddock builds at most %d nodes from "
			       "one file", c->nnodes, PADDOCK_MAX_NODES);
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		if (port_ok(n->port))
			continue;
		int line, col;
		value_pos(n->y, "port", &line, &col);
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

int strict_check_etcd_size(struct vctx *v)
{
	struct cluster *c = v->c;
	size_t etcd = cfg_role_count(c, "etcd");
	int line, col;
	key_pos(c->root, "nodes", &line, &col);
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

static bool windows_path(const char *p)
{
	return p && ((isalpha((unsigned char)p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/')) ||
		     strchr(p, '\\'));
}

int strict_check_ssh_paths(struct vctx *v)
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
		value_pos(n->y, "ssh_key_path", &line, &col);
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

void strict_warnings(struct vctx *v)
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
			value_pos(c->registries[i].y, "url", &line, &col);
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
			 "kubernetes_version: not set; paddock uses RKE's default, %s (pin it to "
			 "build the same images tomorrow)", k8s_default_version());
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
	if (c->nnodes && !cfg_role_count(c, "worker")) {
		int line, col;
		key_pos(c->root, "nodes", &line, &col);
		diag_add(v->diags, c->file, line, col, "nodes: no node has the worker role: RKE taints "
			 "the nodes without it, so nothing can schedule DNS, ingress, the metrics "
			 "server or workloads");
	}
	if (c->services.kube_api.audit.present && !c->services.kube_api.audit.enabled)
		warn_path(v, "services.kube-api.audit_log.enabled", "audit logging is off%s", NULL);
}
