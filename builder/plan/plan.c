/* plan: per node, the roles, containers (image, user, flags), certificates
 * and files, derived from the validated cluster model the way RKE derives
 * them (cluster/plan.go), except where paddock deliberately differs: etcd
 * runs as uid:gid (RKE formats uid:uid).  This file holds the nodes and the
 * values they share; each role's part is in plan_etcd.c,
 * plan_controlplane.c and plan_worker.c, built from plan_container.c's
 * containers and plan_layer.c's certificates and files. */
#include "plan/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_model.h"
#include "strbuf.h"

/* A copy of s (NULL stays NULL). */
static char *dup_opt(struct plan *p, const char *s)
{
	char *d = s ? strdup(s) : NULL;
	p->oom |= s && !d;
	return d;
}

static char **dup_strs(struct plan *p, const struct cfg_strs *s)
{
	struct strv v = STRV_INIT;
	for (size_t i = 0; i < s->n; i++)
		strv_add(&v, s->v[i]);
	char **out = strv_steal(&v);
	p->oom |= !out;
	return out;
}

/* The string built in sb ("" when nothing was added). */
static char *sb_take(struct plan *p, struct strbuf *sb)
{
	bool failed = sb->err != 0;
	char *s = sb_steal(sb);
	if (!s && !failed)
		s = strdup("");
	p->oom |= !s;
	return s;
}

/* What every node's plan refers to: etcd membership, the control plane's
 * addresses, the shared certificate names, the etcd user. */
static void plan_shared(struct plan *p)
{
	const struct cluster *c = p->c;
	struct strbuf ic = STRBUF_INIT, es = STRBUF_INIT, cp = STRBUF_INIT;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		if (cfg_has_role(n, "etcd")) {
			sb_printf(&ic, "%setcd-%s=https://%s:2380", ic.len ? "," : "",
				  n->hostname_override, n->internal_address);
			sb_printf(&es, "%shttps://%s:2379", es.len ? "," : "", n->internal_address);
		}
		if (cfg_has_role(n, "controlplane"))
			sb_printf(&cp, "%s%s", cp.len ? "," : "", n->internal_address);
	}
	p->initial_cluster = sb_take(p, &ic);
	p->etcd_servers = sb_take(p, &es);
	p->cp_hosts = sb_take(p, &cp);
	p->sans_etcd = plan_alt_names(p, "etcd", false);
	p->sans_api = plan_alt_names(p, "controlplane", true);
	if (c->services.etcd.uid && c->services.etcd.gid)
		p->etcd_user = plan_strf(p, "%lld:%lld", c->services.etcd.uid, c->services.etcd.gid);
	p->cri_dockerd = c->k8s_rules.cri_dockerd || c->enable_cri_dockerd == CFG_TRUE;
}

static void plan_node(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	struct plan_node *pub = &pn->pub;
	pub->name = dup_opt(p, n->hostname_override);
	pub->address = dup_opt(p, n->address);
	pub->internal_address = dup_opt(p, n->internal_address);
	pub->roles = (cfg_has_role(n, "etcd") ? PLAN_ROLE_ETCD : 0) |
		     (cfg_has_role(n, "controlplane") ? PLAN_ROLE_CONTROLPLANE : 0) |
		     (cfg_has_role(n, "worker") ? PLAN_ROLE_WORKER : 0);
	pub->mac = dup_opt(p, n->boot.mac);
	pub->dhcp = strcmp(n->boot.net_mode, "static") != 0;
	if (!pub->dhcp) {
		pub->net_address = dup_opt(p, n->boot.net_address);
		pub->net_gateway = dup_opt(p, n->boot.net_gateway);
	}
	pub->dns = dup_strs(p, &n->boot.dns);
	pub->state_disk = dup_opt(p, n->boot.state_disk);
	pub->kernel_args = dup_opt(p, n->boot.kernel_args);
	pub->debug_shell = n->boot.debug_shell == CFG_TRUE;
	plan_node_common(p, pn, n);
	plan_pod_network(p, pn, n);
	if (pub->roles & PLAN_ROLE_ETCD)
		plan_etcd(p, pn, n);
	if (pub->roles & PLAN_ROLE_CONTROLPLANE)
		plan_controlplane(p, pn, n);
	/* every node is a Kubernetes node, whatever its roles */
	plan_worker(p, pn, n);
}

static int build(struct plan *p)
{
	const struct cluster *c = p->c;
	struct plan_build_opts *o = &p->opts;
	o->kernel_flavour = dup_opt(p, c->paddock.kernel);
	o->compression = dup_opt(p, c->paddock.compression);
	o->formats = dup_strs(p, &c->paddock.formats);
	o->http_base = c->paddock.http_base && *c->paddock.http_base ? dup_opt(p, c->paddock.http_base)
								     : NULL;
	o->console = dup_opt(p, c->paddock.console);
	o->menu_timeout = (int)c->paddock.menu_timeout;
	for (size_t i = 0; i < c->nregistries && !p->default_registry; i++)
		if (c->registries[i].is_default && c->registries[i].url_given && *c->registries[i].url)
			p->default_registry = plan_strf(p, "%.*s", (int)strcspn(c->registries[i].url, "/"),
							c->registries[i].url);
	plan_shared(p);
	if (!p->oom)
		p->nodes = calloc(c->nnodes ? c->nnodes : 1, sizeof(*p->nodes));
	p->oom |= !p->nodes;
	for (size_t i = 0; i < c->nnodes && !p->oom; i++)
		plan_node(p, &p->nodes[p->n++], &c->nodes[i]);
	return p->oom ? -ENOMEM : 0;
}

static int plan_from(struct cluster *c, struct plan **out, struct perr *err)
{
	struct plan *p = calloc(1, sizeof(*p));
	if (!p) {
		config_free(c);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	p->c = c;
	if (build(p) < 0) {
		plan_free(p);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	*out = p;
	return 0;
}

int plan_load(const char *path, struct plan **out, struct diag_list *diags, struct perr *err)
{
	struct cluster *c = NULL;
	*out = NULL;
	int r = config_load(path, &c, diags, err);
	return r < 0 ? r : plan_from(c, out, err);
}

int plan_load_buffer(const char *name, const char *buf, size_t len, struct plan **out,
		     struct diag_list *diags, struct perr *err)
{
	struct cluster *c = NULL;
	*out = NULL;
	int r = config_load_buffer(name, buf, len, &c, diags, err);
	return r < 0 ? r : plan_from(c, out, err);
}

/* --- the public face ------------------------------------------------------- */

const char *plan_cluster_name(const struct plan *p) { return p->c->cluster_name; }
const struct plan_build_opts *plan_build_options(const struct plan *p) { return &p->opts; }
size_t plan_node_count(const struct plan *p) { return p->n; }
const struct cluster *plan_cluster(const struct plan *p) { return p->c; }
const char *plan_etcd_initial_cluster(const struct plan *p) { return p->initial_cluster; }

const struct plan_node *plan_node_at(const struct plan *p, size_t i)
{
	return i < p->n ? &p->nodes[i].pub : NULL;
}

const struct plan_container *plan_node_containers(const struct plan *p, size_t i, size_t *n)
{
	*n = i < p->n ? p->nodes[i].nct : 0;
	return i < p->n ? p->nodes[i].ct : NULL;
}

const struct plan_cert *plan_node_certs(const struct plan *p, size_t i, size_t *n)
{
	*n = i < p->n ? p->nodes[i].ncerts : 0;
	return i < p->n ? p->nodes[i].certs : NULL;
}

const struct plan_file *plan_node_files(const struct plan *p, size_t i, size_t *n)
{
	*n = i < p->n ? p->nodes[i].nfiles : 0;
	return i < p->n ? p->nodes[i].files : NULL;
}

const char *plan_default_registry(const struct plan *p)
{
	return p->default_registry;
}

int plan_node_config(const struct plan *p, size_t i, struct nodecfg *out, struct perr *err)
{
	if (i >= p->n)
		return perr_set(err, -EINVAL, "node index %zu out of range", i);
	const struct plan_node *n = &p->nodes[i].pub;
	static const char *const roles[] = { "etcd", "controlplane", "worker" };
	int r = 0;
	r |= nodecfg_add(out, "cluster.name", p->c->cluster_name);
	r |= nodecfg_add(out, "node.name", n->name);
	r |= nodecfg_add(out, "node.address", n->address);
	r |= nodecfg_add(out, "node.internal_address", n->internal_address);
	/* the port sshd listens on (sshd_config), for its health check */
	r |= nodecfg_add(out, "node.ssh_port", p->c->nodes[i].port && *p->c->nodes[i].port ? p->c->nodes[i].port : "22");
	for (int k = 0; k < 3; k++)
		if (n->roles & (1u << k))
			r |= nodecfg_add(out, "node.role", roles[k]);
	if (n->mac)
		r |= nodecfg_add(out, "net.mac", n->mac);
	r |= nodecfg_add(out, "net.mode", n->dhcp ? "dhcp" : "static");
	if (!n->dhcp) {
		r |= nodecfg_add(out, "net.address", n->net_address);
		if (n->net_gateway)
			r |= nodecfg_add(out, "net.gateway", n->net_gateway);
	}
	for (size_t j = 0; n->dns && n->dns[j]; j++)
		r |= nodecfg_add(out, "net.dns", n->dns[j]);
	r |= nodecfg_add(out, "boot.state_disk", n->state_disk ? n->state_disk : "");
	r |= nodecfg_add(out, "boot.debug_shell", n->debug_shell ? "true" : "false");
	if (n->kernel_args)
		r |= nodecfg_add(out, "boot.cmdline", n->kernel_args);
	if (n->roles & PLAN_ROLE_ETCD)
		r |= plan_etcd_node_config(p, out);
	r |= plan_pod_node_config(p, i, out);
	const char *reg = plan_default_registry(p);
	if (reg)
		r |= nodecfg_add(out, "registry.default", reg);
	if (r)
		return perr_set(err, -ENOMEM, "cannot build node config for %s", n->name);
	return 0;
}


void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		pn_free(p, &p->nodes[i]);
	free(p->nodes);
	struct plan_build_opts *o = &p->opts;
	char *strs[] = { o->kernel_flavour, o->compression, o->http_base, o->console,
			 p->initial_cluster, p->etcd_servers, p->etcd_user, p->cp_hosts, p->default_registry };
	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		free(strs[i]);
	strv_free(o->formats);
	strv_free(p->sans_etcd);
	strv_free(p->sans_api);
	config_free(p->c);
	free(p);
}
