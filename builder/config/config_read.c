/* config_read: fills struct cluster from the schema-checked tree and
 * applies the defaults the rke CLI applies (cluster/defaults.go). */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/system_images.h"
#include "config/ytree_get.h"

static int oom(struct perr *err)
{
	return perr_set(err, -ENOMEM, "out of memory");
}

static int read_service(const struct ynode *m, struct cfg_service *s)
{
	if (yget_kvs(m, "extra_args", &s->extra_args) < 0 ||
	    yget_strs(m, "extra_binds", &s->extra_binds) < 0 ||
	    yget_strs(m, "extra_env", &s->extra_env) < 0)
		return -ENOMEM;
	const struct ynode *a = yget_map(m, "extra_args_array");
	for (size_t i = 0; a && i < a->n; i++) {
		struct cfg_kv_list *l = &s->extra_args_array;
		char **k = realloc(l->keys, (l->n + 1) * sizeof(*k));
		if (!k)
			return -ENOMEM;
		l->keys = k;
		struct cfg_strs *v = realloc(l->vals, (l->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->vals = v;
		v[l->n] = (struct cfg_strs){ 0 };
		if (!(k[l->n] = strdup(ymap_key(a, i)->val)))
			return -ENOMEM;
		l->n++;
		if (yget_strs_node(ymap_val(a, i), &v[l->n - 1]) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int read_boot(const struct ynode *m, struct cfg_boot *b, bool node)
{
	const struct ynode *net = yget_map(m, "network");
	int r = 0;
	if (node)
		r |= yget_str(m, "mac", &b->mac);
	r |= yget_str(net, "mode", &b->net_mode);
	r |= yget_str(net, "address", &b->net_address);
	r |= yget_str(net, "gateway", &b->net_gateway);
	const struct ynode *dns = ymap_get(net, "dns");
	b->dns_set = dns && !ynode_is_null(dns);
	r |= yget_strs_node(dns, &b->dns);
	r |= yget_str(m, "state_disk", &b->state_disk);
	r |= yget_str(m, "kernel_args", &b->kernel_args);
	b->debug_shell = yget_tri(m, "debug_shell");
	if (b->mac)
		for (char *p = b->mac; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return r ? -ENOMEM : 0;
}

/* An unset *dst gets a copy of def. */
static int inherit(char **dst, const char *def)
{
	return *dst || !def || (*dst = strdup(def)) ? 0 : -ENOMEM;
}

/* Per-node values win; unset ones come from paddock.defaults. */
static int merge_boot(struct cfg_boot *n, const struct cfg_boot *d)
{
	if (inherit(&n->net_mode, d->net_mode) < 0 || inherit(&n->net_address, d->net_address) < 0 ||
	    inherit(&n->net_gateway, d->net_gateway) < 0 || inherit(&n->state_disk, d->state_disk) < 0 ||
	    inherit(&n->kernel_args, d->kernel_args) < 0)
		return -ENOMEM;
	if (!n->dns_set)
		for (size_t i = 0; i < d->dns.n; i++)
			if (cfg_strs_add(&n->dns, d->dns.v[i]) < 0)
				return -ENOMEM;
	if (n->debug_shell == CFG_UNSET)
		n->debug_shell = d->debug_shell;
	if (!n->net_mode && !(n->net_mode = strdup(n->net_address ? "static" : "dhcp")))
		return -ENOMEM;
	return 0;
}

static int read_node(struct cluster *c, const struct ynode *m, struct cfg_node *n)
{
	int r = 0;
	n->y = m;
	r |= yget_str(m, "address", &n->address);
	if (r)
		return -ENOMEM;
	/* setClusterDefaults: empty internal_address/hostname_override/ssh_key_path */
	r |= yget_str_def(m, "port", "22", &n->port);
	r |= yget_str_def(m, "internal_address", n->address, &n->internal_address);
	r |= yget_strs(m, "role", &n->role);
	r |= yget_str_def(m, "hostname_override", n->address, &n->hostname_override);
	r |= yget_str(m, "user", &n->user);
	r |= yget_str_def(m, "docker_socket", "/var/run/docker.sock", &n->docker_socket);
	r |= yget_str(m, "ssh_key", &n->ssh_key);
	r |= yget_str_def(m, "ssh_key_path", c->ssh_key_path, &n->ssh_key_path);
	r |= yget_str(m, "ssh_cert", &n->ssh_cert);
	r |= yget_str(m, "ssh_cert_path", &n->ssh_cert_path);
	r |= yget_str(m, "nodeName", &n->node_name);
	r |= yget_kvs(m, "labels", &n->labels);
	if (r)
		return -ENOMEM;
	const struct ynode *t = ymap_get(m, "taints");
	if (t && t->kind == Y_SEQ && t->n) {
		n->taints = calloc(t->n, sizeof(*n->taints));
		if (!n->taints)
			return -ENOMEM;
		for (size_t i = 0; i < t->n; i++) {
			const struct ynode *it = t->items[i];
			struct cfg_taint *x = &n->taints[n->ntaints++];
			if (yget_str(it, "key", &x->key) || yget_str(it, "value", &x->value) ||
			    yget_str(it, "effect", &x->effect))
				return -ENOMEM;
		}
	}
	for (char *p = n->hostname_override; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	n->ssh_agent_auth = c->ssh_agent_auth;
	if (read_boot(yget_map(m, "paddock"), &n->boot, true) < 0)
		return -ENOMEM;
	return 0;
}

static int read_etcd(const struct ynode *m, struct cfg_etcd *e)
{
	int r = read_service(m, &e->base);
	r |= yget_strs(m, "external_urls", &e->external_urls);
	r |= yget_str(m, "ca_cert", &e->ca_cert);
	r |= yget_str(m, "cert", &e->cert);
	r |= yget_str(m, "key", &e->key);
	r |= yget_str(m, "path", &e->path);
	e->uid = yget_int(m, "uid", 0);
	e->gid = yget_int(m, "gid", 0);
	e->snapshot = yget_bool(m, "snapshot", true);
	r |= yget_str_def(m, "creation", "12h", &e->creation);
	r |= yget_str_def(m, "retention", "72h", &e->retention);
	/* RKE adds these two unless set */
	if (!cfg_kv_get(&e->base.extra_args, "election-timeout"))
		r |= cfg_kvs_set(&e->base.extra_args, "election-timeout", "5000");
	if (!cfg_kv_get(&e->base.extra_args, "heartbeat-interval"))
		r |= cfg_kvs_set(&e->base.extra_args, "heartbeat-interval", "500");
	const struct ynode *b = yget_map(m, "backup_config");
	if (b) {
		struct cfg_backup *k = &e->backup;
		k->present = true;
		k->enabled = yget_bool(b, "enabled", true);
		k->interval_hours = yget_int_nz(b, "interval_hours", 12);
		k->retention = yget_int_nz(b, "retention", 6);
		k->safe_timestamp = yget_bool(b, "safe_timestamp", false);
		k->timeout = yget_int_nz(b, "timeout", 300);
		const struct ynode *s = yget_map(b, "s3backupconfig");
		if (s) {
			k->s3.present = true;
			r |= yget_str(s, "access_key", &k->s3.access_key);
			r |= yget_str(s, "secret_key", &k->s3.secret_key);
			r |= yget_str(s, "bucket_name", &k->s3.bucket_name);
			r |= yget_str(s, "region", &k->s3.region);
			r |= yget_str(s, "endpoint", &k->s3.endpoint);
			r |= yget_str(s, "custom_ca", &k->s3.custom_ca);
			r |= yget_str(s, "folder", &k->s3.folder);
		}
	}
	return r ? -ENOMEM : 0;
}

static int read_kube_api(const struct ynode *m, struct cfg_kube_api *a, bool audit_default)
{
	int r = read_service(m, &a->base);
	r |= yget_str_def(m, "service_cluster_ip_range", "10.43.0.0/16", &a->service_cluster_ip_range);
	r |= yget_str_def(m, "service_node_port_range", "30000-32767", &a->service_node_port_range);
	r |= yget_str(m, "pod_security_configuration", &a->pod_security_configuration);
	a->always_pull_images = yget_bool(m, "always_pull_images", false);
	const struct ynode *se = yget_map(m, "secrets_encryption_config");
	a->secrets_encryption = se && yget_bool(se, "enabled", false);
	a->encryption_custom_config = se ? ymap_get(se, "custom_config") : NULL;
	if (ynode_is_null(a->encryption_custom_config))
		a->encryption_custom_config = NULL;
	/* audit_log: RKE creates {enabled: true} for every supported k8s */
	const struct ynode *al = yget_map(m, "audit_log");
	struct cfg_audit *au = &a->audit;
	au->present = al != NULL;
	au->enabled = al ? yget_bool(al, "enabled", false) : audit_default;
	const struct ynode *ac = yget_map(al, "configuration");
	au->max_age = yget_int_nz(ac, "max_age", 30);
	au->max_backup = yget_int_nz(ac, "max_backup", 10);
	au->max_size = yget_int_nz(ac, "max_size", 100);
	r |= yget_str_def(ac, "path", "/var/log/kube-audit/audit-log.json", &au->path);
	r |= yget_str_def(ac, "format", "json", &au->format);
	au->policy = ac ? yget_map(ac, "policy") : NULL;
	a->admission_configuration = yget_map(m, "admission_configuration");
	const struct ynode *erl = yget_map(m, "event_rate_limit");
	a->event_rate_limit = erl && yget_bool(erl, "enabled", false);
	a->event_rate_limit_config = erl ? yget_map(erl, "configuration") : NULL;
	return r ? -ENOMEM : 0;
}

static int read_registries(struct cluster *c, const struct ynode *l)
{
	if (!l || l->kind != Y_SEQ || !l->n)
		return 0;
	c->registries = calloc(l->n, sizeof(*c->registries));
	if (!c->registries)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		const struct ynode *m = l->items[i];
		struct cfg_registry *g = &c->registries[c->nregistries++];
		g->y = m;
		int r = yget_str_def(m, "url", "docker.io", &g->url);
		const struct ynode *u = ymap_get(m, "url");
		g->url_given = u && u->kind == Y_SCALAR && u->len && !ynode_is_null(u);
		r |= yget_str(m, "user", &g->user);
		r |= yget_str(m, "password", &g->password);
		g->is_default = yget_bool(m, "is_default", false);
		g->ecr = yget_map(m, "ecr_credential_plugin") != NULL;
		r |= yget_str(yget_map(m, "paddock"), "ca_cert", &g->ca_cert);
		if (r)
			return -ENOMEM;
	}
	return 0;
}

/* Top-level keys, and the bastion that inherits from them. */
static int read_cluster_keys(const struct ynode *root, struct cluster *c)
{
	int r = 0;
	r |= yget_str_def(root, "ssh_key_path", "~/.ssh/id_rsa", &c->ssh_key_path);
	r |= yget_str(root, "ssh_cert_path", &c->ssh_cert_path);
	c->ssh_agent_auth = yget_bool(root, "ssh_agent_auth", false);
	r |= yget_str_def(root, "prefix_path", "/", &c->prefix_path);
	r |= yget_str(root, "win_prefix_path", &c->win_prefix_path);
	r |= yget_str_def(root, "cluster_name", "local", &c->cluster_name);
	r |= yget_str_def(root, "kubernetes_version", NULL, &c->kubernetes_version);
	c->kubernetes_version_set = c->kubernetes_version != NULL;
	if (!c->kubernetes_version && !(c->kubernetes_version = strdup(k8s_default_version())))
		return -ENOMEM;
	c->addon_job_timeout = yget_int_nz(root, "addon_job_timeout", 45);
	r |= yget_str(root, "addons", &c->addons);
	r |= yget_strs(root, "addons_include", &c->addons_include);
	c->ignore_docker_version = yget_tri(root, "ignore_docker_version");
	c->enable_cri_dockerd = yget_tri(root, "enable_cri_dockerd");
	c->rotate_encryption_key = yget_bool(root, "rotate_encryption_key", false);
	r |= yget_str(root, "cri_dockerd_stream_server_address", &c->cri_dockerd_stream_server_address);
	r |= yget_str(root, "cri_dockerd_stream_server_port", &c->cri_dockerd_stream_server_port);
	r |= yget_str(yget_map(root, "cloud_provider"), "name", &c->cloud_provider_name);
	r |= yget_kvs(root, "system_images", &c->system_images);
	if (r)
		return -ENOMEM;

	const struct ynode *b = yget_map(root, "bastion_host");
	r |= yget_str_def(b, "address", NULL, &c->bastion.address);
	r |= yget_str_def(b, "port", c->bastion.address ? "22" : NULL, &c->bastion.port);
	r |= yget_str(b, "user", &c->bastion.user);
	r |= yget_str(b, "ssh_key", &c->bastion.ssh_key);
	r |= yget_str_def(b, "ssh_key_path", c->bastion.address ? c->ssh_key_path : NULL,
			 &c->bastion.ssh_key_path);
	r |= yget_str(b, "ssh_cert", &c->bastion.ssh_cert);
	r |= yget_str(b, "ssh_cert_path", &c->bastion.ssh_cert_path);
	c->bastion.ssh_agent_auth = c->ssh_agent_auth;
	c->bastion.ignore_proxy_env_vars = yget_bool(b, "ignore_proxy_env_vars", false);
	return r ? -ENOMEM : 0;
}

/* paddock's own top-level block. */
static int read_paddock(const struct ynode *pd, struct cfg_paddock *p)
{
	int r = read_boot(yget_map(pd, "defaults"), &p->defaults, false);
	r |= yget_str_def(pd, "kernel", "generic", &p->kernel);
	r |= yget_str_def(pd, "compression", "zstd", &p->compression);
	r |= yget_strs(pd, "formats", &p->formats);
	if (!ymap_get(pd, "formats") || ynode_is_null(ymap_get(pd, "formats"))) {
		static const char *const all[] = { "kernel", "iso", "pxe", "ipxe" };
		for (size_t i = 0; i < 4; i++)
			r |= cfg_strs_add(&p->formats, all[i]);
	}
	r |= yget_str(pd, "http_base", &p->http_base);
	r |= yget_str_def(pd, "console", "ttyS0", &p->console);
	p->menu_timeout = yget_int(pd, "menu_timeout", 5);
	p->snapshot_interval_secs = yget_int(pd, "snapshot_interval_secs", 0);
	r |= yget_str(pd, "etcd_image", &p->etcd_image);
	r |= yget_strs(pd, "registry_mirrors", &p->registry_mirrors);
	r |= yget_str_def(pd, "pod_network", "none", &p->pod_network);
	return r ? -ENOMEM : 0;
}

/* After the cluster's keys and paddock.defaults, which nodes inherit. */
static int read_nodes(struct cluster *c, const struct ynode *nl)
{
	if (!nl || nl->kind != Y_SEQ || !nl->n)
		return 0;
	c->nodes = calloc(nl->n, sizeof(*c->nodes));
	if (!c->nodes)
		return -ENOMEM;
	for (size_t i = 0; i < nl->n; i++) {
		const struct ynode *m = nl->items[i];
		struct cfg_node *n = &c->nodes[c->nnodes++];
		if (m->kind != Y_MAP)
			m = NULL;   /* a null entry: an empty node, refused by validation */
		if (read_node(c, m, n) < 0 || merge_boot(&n->boot, &c->paddock.defaults) < 0)
			return -ENOMEM;
		n->y = nl->items[i];
	}
	return 0;
}

static int read_services(const struct ynode *svc, struct cluster *c,
			 const struct k8s_rules *vd)
{
	int r = read_etcd(yget_map(svc, "etcd"), &c->services.etcd);
	r |= read_kube_api(yget_map(svc, "kube-api"), &c->services.kube_api, vd->audit_log);
	const struct ynode *s = yget_map(svc, "kube-controller");
	r |= read_service(s, &c->services.kube_controller.base);
	r |= yget_str_def(s, "cluster_cidr", "10.42.0.0/16", &c->services.kube_controller.cluster_cidr);
	r |= yget_str_def(s, "service_cluster_ip_range", "10.43.0.0/16",
			 &c->services.kube_controller.service_cluster_ip_range);
	r |= read_service(yget_map(svc, "scheduler"), &c->services.scheduler);
	s = yget_map(svc, "kubelet");
	r |= read_service(s, &c->services.kubelet.base);
	r |= yget_str_def(s, "cluster_domain", "cluster.local", &c->services.kubelet.cluster_domain);
	r |= yget_str(s, "infra_container_image", &c->services.kubelet.infra_container_image);
	r |= yget_str_def(s, "cluster_dns_server", "10.43.0.10", &c->services.kubelet.cluster_dns_server);
	c->services.kubelet.fail_swap_on = yget_bool(s, "fail_swap_on", false);
	c->services.kubelet.generate_serving_certificate = yget_bool(s, "generate_serving_certificate", false);
	r |= read_service(yget_map(svc, "kubeproxy"), &c->services.kubeproxy);
	if (r)
		return -ENOMEM;
	/* pod_security_configuration defaults to privileged unless an admission
	 * config file is passed by hand */
	struct cfg_kube_api *ka = &c->services.kube_api;
	if (vd->pod_security && ka->pod_security_configuration && !*ka->pod_security_configuration) {
		free(ka->pod_security_configuration);
		ka->pod_security_configuration = NULL;
	}
	if (vd->pod_security && !ka->pod_security_configuration &&
	    !cfg_kv_get(&ka->base.extra_args, "admission-control-config-file") &&
	    !(ka->pod_security_configuration = strdup("privileged")))
		return -ENOMEM;
	return 0;
}

/* network, authn, authz, ingress, dns, monitoring, registries */
static int read_addons(const struct ynode *root, struct cluster *c,
		       const struct k8s_rules *vd)
{
	int r = 0;
	const struct ynode *nw = yget_map(root, "network");
	r |= yget_str_def(nw, "plugin", "canal", &c->network.plugin);
	r |= yget_kvs(nw, "options", &c->network.options);
	c->network.mtu = yget_int(nw, "mtu", 0);
	static const struct { const char *block, *key, *opt; } prov[] = {
		{ "calico_network_provider", "cloudprovider", "calico_cloud_provider" },
		{ "canal_network_provider", "iface", "canal_iface" },
		{ "flannel_network_provider", "iface", "flannel_iface" },
		{ "weave_network_provider", "password", "WeavePassword" },
	};
	for (size_t i = 0; i < sizeof(prov) / sizeof(*prov); i++) {
		char *v = NULL;
		r |= yget_str(yget_map(nw, prov[i].block), prov[i].key, &v);
		if (v && *v)
			r |= cfg_kvs_set(&c->network.options, prov[i].opt, v);
		free(v);
	}
	const struct ynode *an = yget_map(root, "authentication");
	r |= yget_str_def(an, "strategy", "x509", &c->authentication.strategy);
	r |= yget_strs(an, "sans", &c->authentication.sans);
	const struct ynode *wh = yget_map(an, "webhook");
	r |= yget_str(wh, "config_file", &c->authentication.webhook_config_file);
	r |= yget_str_def(wh, "cache_timeout", wh ? "5s" : NULL, &c->authentication.webhook_cache_timeout);
	r |= yget_str_def(yget_map(root, "authorization"), "mode", "rbac", &c->authorization.mode);
	const struct ynode *in = yget_map(root, "ingress");
	r |= yget_str_def(in, "provider", "nginx", &c->ingress.provider);
	r |= yget_kvs(in, "options", &c->ingress.options);
	r |= yget_kvs(in, "extra_args", &c->ingress.extra_args);
	r |= yget_str(in, "dns_policy", &c->ingress.dns_policy);
	r |= yget_str_def(in, "network_mode", vd->ingress_network_mode, &c->ingress.network_mode);
	c->ingress.http_port = yget_int_nz(in, "http_port", 80);
	c->ingress.https_port = yget_int_nz(in, "https_port", 443);
	const struct ynode *dn = yget_map(root, "dns");
	r |= yget_str_def(dn, "provider", vd->dns_provider, &c->dns.provider);
	r |= yget_strs(dn, "upstreamnameservers", &c->dns.upstreamnameservers);
	r |= yget_str(yget_map(dn, "nodelocal"), "ip_address", &c->dns.nodelocal_ip);
	c->dns.nodelocal = yget_map(dn, "nodelocal") != NULL;
	const struct ynode *mo = yget_map(root, "monitoring");
	r |= yget_str_def(mo, "provider", "metrics-server", &c->monitoring.provider);
	c->monitoring.replicas = yget_int(mo, "replicas", 1);
	r |= read_registries(c, ymap_get(root, "private_registries"));
	return r ? -ENOMEM : 0;
}

/* upgrade strategy, restore, rotation */
static int read_operations(const struct ynode *root, struct cluster *c)
{
	int r = 0;
	const struct ynode *us = yget_map(root, "upgrade_strategy");
	r |= yget_str_def(us, "max_unavailable_worker", "10%", &c->upgrade_strategy.max_unavailable_worker);
	r |= yget_str_def(us, "max_unavailable_controlplane", "1",
			 &c->upgrade_strategy.max_unavailable_controlplane);
	c->upgrade_strategy.drain = yget_tri(us, "drain");
	const struct ynode *nd = yget_map(us, "node_drain_input");
	c->upgrade_strategy.force = yget_bool(nd, "force", false);
	c->upgrade_strategy.ignore_daemonsets = yget_bool(nd, "ignore_daemonsets", true);
	c->upgrade_strategy.delete_local_data = yget_bool(nd, "delete_local_data", false);
	c->upgrade_strategy.grace_period = yget_int_nz(nd, "grace_period", -1);
	c->upgrade_strategy.timeout = yget_int_nz(nd, "timeout", 120);
	const struct ynode *rs = yget_map(root, "restore");
	c->restore.restore = yget_bool(rs, "restore", false);
	r |= yget_str(rs, "snapshot_name", &c->restore.snapshot_name);
	const struct ynode *rc = yget_map(root, "rotate_certificates");
	c->rotate_certificates.present = rc != NULL;
	c->rotate_certificates.cacertificates = yget_bool(rc, "cacertificates", false);
	r |= yget_strs(rc, "services", &c->rotate_certificates.services);
	return r ? -ENOMEM : 0;
}

/* What RKE's version table says for kubernetes_version.  The default
 * flags follow system_images.kubernetes where its tag names another minor,
 * as in RKE. */
static void read_version_data(struct cluster *c)
{
	c->k8s = k8s_version_find(c->kubernetes_version);
	k8s_rules_for(c->kubernetes_version, &c->k8s_rules);
	const char *kube = cfg_image_given(c, "kubernetes");
	c->k8s_flags = k8s_options_find(c->kubernetes_version, kube ? kube : k8s_image(c->k8s, "kubernetes"));
}

int config_read(struct cluster *c, struct diag_list *diags, struct perr *err)
{
	const struct ynode *root = c->root && c->root->kind == Y_MAP ? c->root : NULL;
	(void)diags;
	if (read_cluster_keys(root, c) < 0 || read_paddock(yget_map(root, "paddock"), &c->paddock) < 0 ||
	    read_nodes(c, ymap_get(root, "nodes")) < 0)
		return oom(err);
	read_version_data(c);
	const struct k8s_rules *vd = &c->k8s_rules;
	if (read_services(yget_map(root, "services"), c, vd) < 0 || read_addons(root, c, vd) < 0 ||
	    read_operations(root, c) < 0)
		return oom(err);
	return 0;
}
