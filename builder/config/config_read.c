/* Fills struct cluster from the schema-checked tree and applies the
 * defaults the rke CLI applies (cluster/defaults.go). */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_schema.h"

/* --- getters (types are already checked) ------------------------------- */

static int oom(struct perr *err)
{
	return perr_set(err, -ENOMEM, "out of memory");
}

/* Copies a scalar (NULL for absent or null). */
static int get_str(const struct ynode *m, const char *key, char **out)
{
	const struct ynode *v = ymap_get(m, key);
	*out = NULL;
	if (!v || ynode_is_null(v) || v->kind != Y_SCALAR)
		return 0;
	*out = strdup(v->val);
	return *out ? 0 : -ENOMEM;
}

/* Sets *out to a default when the key is absent, empty or null. */
static int get_str_def(const struct ynode *m, const char *key, const char *def, char **out)
{
	if (get_str(m, key, out) < 0)
		return -ENOMEM;
	if (*out && !**out) {
		free(*out);
		*out = NULL;
	}
	if (!*out && def && !(*out = strdup(def)))
		return -ENOMEM;
	return 0;
}

static long long get_int(const struct ynode *m, const char *key, long long def)
{
	const struct ynode *v = ymap_get(m, key);
	long long x;
	if (!v || ynode_is_null(v) || !yscalar_int(v, &x))
		return def;
	return x;
}

/* For Go int fields the zero value counts as unset (RKE's defaults do). */
static long long get_int_nz(const struct ynode *m, const char *key, long long def)
{
	long long x = get_int(m, key, 0);
	return x ? x : def;
}

static bool get_bool(const struct ynode *m, const char *key, bool def)
{
	const struct ynode *v = ymap_get(m, key);
	bool b;
	if (!v || ynode_is_null(v) || !yscalar_bool(v, &b))
		return def;
	return b;
}

static enum cfg_tri get_tri(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);
	bool b;
	if (!v || ynode_is_null(v) || !yscalar_bool(v, &b))
		return CFG_UNSET;
	return b ? CFG_TRUE : CFG_FALSE;
}

static const struct ynode *get_map(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);
	return v && v->kind == Y_MAP ? v : NULL;
}

static int strs_add(struct cfg_strs *s, const char *v)
{
	char **p = realloc(s->v, (s->n + 2) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->v = p;
	if (!(p[s->n] = strdup(v)))
		return -ENOMEM;
	p[++s->n] = NULL;
	return 0;
}

static void strs_free(struct cfg_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct cfg_strs){ 0 };
}

static int get_strs_node(const struct ynode *v, struct cfg_strs *out)
{
	if (!v || v->kind != Y_SEQ)
		return 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->items[i];
		if (it->kind != Y_SCALAR)
			continue;
		if (strs_add(out, ynode_is_null(it) ? "" : it->val) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int get_strs(const struct ynode *m, const char *key, struct cfg_strs *out)
{
	return get_strs_node(ymap_get(m, key), out);
}

static int kvs_set(struct cfg_kvs *kv, const char *k, const char *v)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->v[i].key, k)) {
			char *nv = strdup(v);
			if (!nv)
				return -ENOMEM;
			free(kv->v[i].val);
			kv->v[i].val = nv;
			return 0;
		}
	struct cfg_kv *p = realloc(kv->v, (kv->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	kv->v = p;
	p[kv->n].key = strdup(k);
	p[kv->n].val = strdup(v);
	if (!p[kv->n].key || !p[kv->n].val) {
		free(p[kv->n].key);
		free(p[kv->n].val);
		return -ENOMEM;
	}
	kv->n++;
	return 0;
}

static void kvs_free(struct cfg_kvs *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].val);
	}
	free(kv->v);
	*kv = (struct cfg_kvs){ 0 };
}

/* Copies a string map; its keys are unique already (the tree applied "last
 * wins"), so entries are appended without a search. */
static int get_kvs(const struct ynode *m, const char *key, struct cfg_kvs *out)
{
	const struct ynode *v = get_map(m, key);
	if (!v || !v->n)
		return 0;
	struct cfg_kv *p = realloc(out->v, (out->n + v->n) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	out->v = p;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *val = ymap_val(v, i);
		if (val->kind != Y_SCALAR)
			continue;
		p[out->n].key = strdup(ymap_key(v, i)->val);
		p[out->n].val = strdup(ynode_is_null(val) ? "" : val->val);
		if (!p[out->n].key || !p[out->n].val) {
			free(p[out->n].key);
			free(p[out->n].val);
			return -ENOMEM;
		}
		out->n++;
	}
	return 0;
}

const char *cfg_kv_get(const struct cfg_kvs *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->v[i].key, key))
			return kv->v[i].val;
	return NULL;
}

bool cfg_k8s_version(const char *v, int *maj, int *min, int *patch)
{
	if (!v || v[0] != 'v')
		return false;
	const char *p = v + 1;
	int *out[3] = { maj, min, patch };
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return false;
		long x = 0;
		while (isdigit((unsigned char)*p)) {
			x = x * 10 + (*p++ - '0');
			if (x > 100000)
				return false;
		}
		*out[i] = (int)x;
		if (i < 2 && *p++ != '.')
			return false;
	}
	/* semver pre-release / build: [-+][0-9A-Za-z.-]+ */
	if (*p && *p != '-' && *p != '+')
		return false;
	if (*p && !p[1])
		return false;
	for (const char *q = p; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr(".-+", *q))
			return false;
	return true;
}

bool cfg_has_role(const struct cfg_node *n, const char *role)
{
	for (size_t i = 0; i < n->role.n; i++)
		if (!strcmp(n->role.v[i], role))
			return true;
	return false;
}

/* --- sections ------------------------------------------------------------ */

static int read_service(const struct ynode *m, struct cfg_service *s)
{
	if (get_kvs(m, "extra_args", &s->extra_args) < 0 ||
	    get_strs(m, "extra_binds", &s->extra_binds) < 0 ||
	    get_strs(m, "extra_env", &s->extra_env) < 0)
		return -ENOMEM;
	const struct ynode *a = get_map(m, "extra_args_array");
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
		if (get_strs_node(ymap_val(a, i), &v[l->n - 1]) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void service_free(struct cfg_service *s)
{
	kvs_free(&s->extra_args);
	for (size_t i = 0; i < s->extra_args_array.n; i++) {
		free(s->extra_args_array.keys[i]);
		strs_free(&s->extra_args_array.vals[i]);
	}
	free(s->extra_args_array.keys);
	free(s->extra_args_array.vals);
	strs_free(&s->extra_binds);
	strs_free(&s->extra_env);
}

static int read_boot(const struct ynode *m, struct cfg_boot *b, bool node)
{
	const struct ynode *net = get_map(m, "network");
	int r = 0;
	if (node)
		r |= get_str(m, "mac", &b->mac);
	r |= get_str(net, "mode", &b->net_mode);
	r |= get_str(net, "address", &b->net_address);
	r |= get_str(net, "gateway", &b->net_gateway);
	const struct ynode *dns = ymap_get(net, "dns");
	b->dns_set = dns && !ynode_is_null(dns);
	r |= get_strs_node(dns, &b->dns);
	r |= get_str(m, "state_disk", &b->state_disk);
	r |= get_str(m, "kernel_args", &b->kernel_args);
	b->debug_shell = get_tri(m, "debug_shell");
	if (b->mac)
		for (char *p = b->mac; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return r ? -ENOMEM : 0;
}

static void boot_free(struct cfg_boot *b)
{
	free(b->mac);
	free(b->net_mode);
	free(b->net_address);
	free(b->net_gateway);
	strs_free(&b->dns);
	free(b->state_disk);
	free(b->kernel_args);
}

/* Per-node values win; unset ones come from paddock.defaults. */
static int merge_boot(struct cfg_boot *n, const struct cfg_boot *d)
{
	if (!n->net_mode && d->net_mode && !(n->net_mode = strdup(d->net_mode)))
		return -ENOMEM;
	if (!n->net_address && d->net_address && !(n->net_address = strdup(d->net_address)))
		return -ENOMEM;
	if (!n->net_gateway && d->net_gateway && !(n->net_gateway = strdup(d->net_gateway)))
		return -ENOMEM;
	if (!n->dns_set)
		for (size_t i = 0; i < d->dns.n; i++)
			if (strs_add(&n->dns, d->dns.v[i]) < 0)
				return -ENOMEM;
	if (!n->state_disk && d->state_disk && !(n->state_disk = strdup(d->state_disk)))
		return -ENOMEM;
	if (!n->kernel_args && d->kernel_args && !(n->kernel_args = strdup(d->kernel_args)))
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
	r |= get_str(m, "address", &n->address);
	r |= get_str_def(m, "port", "22", &n->port);
	r |= get_str(m, "internal_address", &n->internal_address);
	r |= get_strs(m, "role", &n->role);
	r |= get_str(m, "hostname_override", &n->hostname_override);
	r |= get_str(m, "user", &n->user);
	r |= get_str_def(m, "docker_socket", "/var/run/docker.sock", &n->docker_socket);
	r |= get_str(m, "ssh_key", &n->ssh_key);
	r |= get_str(m, "ssh_key_path", &n->ssh_key_path);
	r |= get_str(m, "ssh_cert", &n->ssh_cert);
	r |= get_str(m, "ssh_cert_path", &n->ssh_cert_path);
	r |= get_str(m, "nodeName", &n->node_name);
	r |= get_kvs(m, "labels", &n->labels);
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
			if (get_str(it, "key", &x->key) || get_str(it, "value", &x->value) ||
			    get_str(it, "effect", &x->effect))
				return -ENOMEM;
		}
	}
	/* setClusterDefaults: empty internal_address/hostname_override/ssh_key_path */
	if (n->internal_address && !*n->internal_address) {
		free(n->internal_address);
		n->internal_address = NULL;
	}
	if (!n->internal_address && n->address && !(n->internal_address = strdup(n->address)))
		return -ENOMEM;
	if (n->hostname_override && !*n->hostname_override) {
		free(n->hostname_override);
		n->hostname_override = NULL;
	}
	if (!n->hostname_override && n->address && !(n->hostname_override = strdup(n->address)))
		return -ENOMEM;
	for (char *p = n->hostname_override; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (n->ssh_key_path && !*n->ssh_key_path) {
		free(n->ssh_key_path);
		n->ssh_key_path = NULL;
	}
	if (!n->ssh_key_path && !(n->ssh_key_path = strdup(c->ssh_key_path)))
		return -ENOMEM;
	n->ssh_agent_auth = c->ssh_agent_auth;
	if (read_boot(get_map(m, "paddock"), &n->boot, true) < 0)
		return -ENOMEM;
	return 0;
}

static int read_etcd(const struct ynode *m, struct cfg_etcd *e)
{
	int r = read_service(m, &e->base);
	r |= get_strs(m, "external_urls", &e->external_urls);
	r |= get_str(m, "ca_cert", &e->ca_cert);
	r |= get_str(m, "cert", &e->cert);
	r |= get_str(m, "key", &e->key);
	r |= get_str(m, "path", &e->path);
	e->uid = get_int(m, "uid", 0);
	e->gid = get_int(m, "gid", 0);
	e->snapshot = get_bool(m, "snapshot", true);
	r |= get_str_def(m, "creation", "12h", &e->creation);
	r |= get_str_def(m, "retention", "72h", &e->retention);
	/* RKE adds these two unless set */
	if (!cfg_kv_get(&e->base.extra_args, "election-timeout"))
		r |= kvs_set(&e->base.extra_args, "election-timeout", "5000");
	if (!cfg_kv_get(&e->base.extra_args, "heartbeat-interval"))
		r |= kvs_set(&e->base.extra_args, "heartbeat-interval", "500");
	const struct ynode *b = get_map(m, "backup_config");
	if (b) {
		struct cfg_backup *k = &e->backup;
		k->present = true;
		k->enabled = get_bool(b, "enabled", true);
		k->interval_hours = get_int_nz(b, "interval_hours", 12);
		k->retention = get_int_nz(b, "retention", 6);
		k->safe_timestamp = get_bool(b, "safe_timestamp", false);
		k->timeout = get_int_nz(b, "timeout", 300);
		const struct ynode *s = get_map(b, "s3backupconfig");
		if (s) {
			k->s3.present = true;
			r |= get_str(s, "access_key", &k->s3.access_key);
			r |= get_str(s, "secret_key", &k->s3.secret_key);
			r |= get_str(s, "bucket_name", &k->s3.bucket_name);
			r |= get_str(s, "region", &k->s3.region);
			r |= get_str(s, "endpoint", &k->s3.endpoint);
			r |= get_str(s, "custom_ca", &k->s3.custom_ca);
			r |= get_str(s, "folder", &k->s3.folder);
		}
	}
	return r ? -ENOMEM : 0;
}

static int read_kube_api(const struct ynode *m, struct cfg_kube_api *a, bool audit_default)
{
	int r = read_service(m, &a->base);
	r |= get_str_def(m, "service_cluster_ip_range", "10.43.0.0/16", &a->service_cluster_ip_range);
	r |= get_str_def(m, "service_node_port_range", "30000-32767", &a->service_node_port_range);
	r |= get_str(m, "pod_security_configuration", &a->pod_security_configuration);
	a->always_pull_images = get_bool(m, "always_pull_images", false);
	const struct ynode *se = get_map(m, "secrets_encryption_config");
	a->secrets_encryption = se && get_bool(se, "enabled", false);
	a->encryption_custom_config = se ? ymap_get(se, "custom_config") : NULL;
	if (ynode_is_null(a->encryption_custom_config))
		a->encryption_custom_config = NULL;
	/* audit_log: RKE creates {enabled: true} for every supported k8s */
	const struct ynode *al = get_map(m, "audit_log");
	struct cfg_audit *au = &a->audit;
	au->present = al != NULL;
	au->enabled = al ? get_bool(al, "enabled", false) : audit_default;
	const struct ynode *ac = get_map(al, "configuration");
	au->max_age = get_int_nz(ac, "max_age", 30);
	au->max_backup = get_int_nz(ac, "max_backup", 10);
	au->max_size = get_int_nz(ac, "max_size", 100);
	r |= get_str_def(ac, "path", "/var/log/kube-audit/audit-log.json", &au->path);
	r |= get_str_def(ac, "format", "json", &au->format);
	au->policy = ac ? get_map(ac, "policy") : NULL;
	a->admission_configuration = get_map(m, "admission_configuration");
	const struct ynode *erl = get_map(m, "event_rate_limit");
	a->event_rate_limit = erl && get_bool(erl, "enabled", false);
	a->event_rate_limit_config = erl ? get_map(erl, "configuration") : NULL;
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
		int r = get_str_def(m, "url", "docker.io", &g->url);
		r |= get_str(m, "user", &g->user);
		r |= get_str(m, "password", &g->password);
		g->is_default = get_bool(m, "is_default", false);
		g->ecr = get_map(m, "ecr_credential_plugin") != NULL;
		if (r)
			return -ENOMEM;
	}
	return 0;
}

int config_read(struct cluster *c, struct diag_list *diags, struct perr *err)
{
	const struct ynode *root = c->root && c->root->kind == Y_MAP ? c->root : NULL;
	const struct ynode *svc = get_map(root, "services");
	int r = 0;
	(void)diags;

	r |= get_str_def(root, "ssh_key_path", "~/.ssh/id_rsa", &c->ssh_key_path);
	r |= get_str(root, "ssh_cert_path", &c->ssh_cert_path);
	c->ssh_agent_auth = get_bool(root, "ssh_agent_auth", false);
	r |= get_str_def(root, "prefix_path", "/", &c->prefix_path);
	r |= get_str(root, "win_prefix_path", &c->win_prefix_path);
	r |= get_str_def(root, "cluster_name", "local", &c->cluster_name);
	r |= get_str(root, "kubernetes_version", &c->kubernetes_version);
	if (c->kubernetes_version && !*c->kubernetes_version) {
		free(c->kubernetes_version);
		c->kubernetes_version = NULL;
	}
	c->kubernetes_version_set = c->kubernetes_version != NULL;
	if (!c->kubernetes_version)
		c->kubernetes_version = strdup(PADDOCK_DEFAULT_K8S);
	c->addon_job_timeout = get_int_nz(root, "addon_job_timeout", 45);
	r |= get_str(root, "addons", &c->addons);
	r |= get_strs(root, "addons_include", &c->addons_include);
	c->ignore_docker_version = get_tri(root, "ignore_docker_version");
	c->enable_cri_dockerd = get_tri(root, "enable_cri_dockerd");
	c->rotate_encryption_key = get_bool(root, "rotate_encryption_key", false);
	r |= get_str(root, "cri_dockerd_stream_server_address", &c->cri_dockerd_stream_server_address);
	r |= get_str(root, "cri_dockerd_stream_server_port", &c->cri_dockerd_stream_server_port);
	r |= get_str(get_map(root, "cloud_provider"), "name", &c->cloud_provider_name);
	r |= get_kvs(root, "system_images", &c->system_images);
	if (r || !c->kubernetes_version)
		return oom(err);

	/* bastion */
	const struct ynode *b = get_map(root, "bastion_host");
	r |= get_str(b, "address", &c->bastion.address);
	if (c->bastion.address && !*c->bastion.address) {
		free(c->bastion.address);
		c->bastion.address = NULL;
	}
	r |= get_str_def(b, "port", c->bastion.address ? "22" : NULL, &c->bastion.port);
	r |= get_str(b, "user", &c->bastion.user);
	r |= get_str(b, "ssh_key", &c->bastion.ssh_key);
	r |= get_str_def(b, "ssh_key_path", c->bastion.address ? c->ssh_key_path : NULL,
			 &c->bastion.ssh_key_path);
	r |= get_str(b, "ssh_cert", &c->bastion.ssh_cert);
	r |= get_str(b, "ssh_cert_path", &c->bastion.ssh_cert_path);
	c->bastion.ssh_agent_auth = c->ssh_agent_auth;
	c->bastion.ignore_proxy_env_vars = get_bool(b, "ignore_proxy_env_vars", false);

	/* paddock's own block */
	const struct ynode *pd = get_map(root, "paddock");
	r |= read_boot(get_map(pd, "defaults"), &c->paddock.defaults, false);
	r |= get_str_def(pd, "kernel", "generic", &c->paddock.kernel);
	r |= get_str_def(pd, "compression", "zstd", &c->paddock.compression);
	r |= get_strs(pd, "formats", &c->paddock.formats);
	if (!ymap_get(pd, "formats") || ynode_is_null(ymap_get(pd, "formats"))) {
		static const char *const all[] = { "kernel", "iso", "pxe", "ipxe" };
		for (size_t i = 0; i < 4; i++)
			r |= strs_add(&c->paddock.formats, all[i]);
	}
	r |= get_str(pd, "http_base", &c->paddock.http_base);
	r |= get_str_def(pd, "console", "ttyS0", &c->paddock.console);
	c->paddock.menu_timeout = get_int(pd, "menu_timeout", 5);
	if (r)
		return oom(err);

	/* nodes */
	const struct ynode *nl = ymap_get(root, "nodes");
	if (nl && nl->kind == Y_SEQ && nl->n) {
		c->nodes = calloc(nl->n, sizeof(*c->nodes));
		if (!c->nodes)
			return oom(err);
		for (size_t i = 0; i < nl->n; i++) {
			const struct ynode *m = nl->items[i];
			struct cfg_node *n = &c->nodes[c->nnodes++];
			if (m->kind != Y_MAP)
				m = NULL;   /* a null entry: an empty node, refused by validation */
			n->y = nl->items[i];
			if (read_node(c, m, n) < 0 || merge_boot(&n->boot, &c->paddock.defaults) < 0)
				return oom(err);
			n->y = nl->items[i];
		}
	}

	/* services */
	const struct ynode *s;
	s = get_map(svc, "etcd");
	r |= read_etcd(s, &c->services.etcd);
	/* version-dependent defaults (cluster/defaults.go) */
	int vmaj = 1, vmin = 99, vpatch = 0;
	(void)cfg_k8s_version(c->kubernetes_version, &vmaj, &vmin, &vpatch);
	bool v_ge = vmaj > 1;
#define K8S_AT_LEAST(mi, pa) (v_ge || vmin > (mi) || (vmin == (mi) && vpatch >= (pa)))
	bool audit_default = K8S_AT_LEAST(17, 4) || (vmin == 16 && vpatch >= 8) ||
			     (vmin == 15 && vpatch >= 11);
	r |= read_kube_api(get_map(svc, "kube-api"), &c->services.kube_api, audit_default);
	s = get_map(svc, "kube-controller");
	r |= read_service(s, &c->services.kube_controller.base);
	r |= get_str_def(s, "cluster_cidr", "10.42.0.0/16", &c->services.kube_controller.cluster_cidr);
	r |= get_str_def(s, "service_cluster_ip_range", "10.43.0.0/16",
			 &c->services.kube_controller.service_cluster_ip_range);
	r |= read_service(get_map(svc, "scheduler"), &c->services.scheduler);
	s = get_map(svc, "kubelet");
	r |= read_service(s, &c->services.kubelet.base);
	r |= get_str_def(s, "cluster_domain", "cluster.local", &c->services.kubelet.cluster_domain);
	r |= get_str(s, "infra_container_image", &c->services.kubelet.infra_container_image);
	r |= get_str_def(s, "cluster_dns_server", "10.43.0.10", &c->services.kubelet.cluster_dns_server);
	c->services.kubelet.fail_swap_on = get_bool(s, "fail_swap_on", false);
	c->services.kubelet.generate_serving_certificate = get_bool(s, "generate_serving_certificate", false);
	r |= read_service(get_map(svc, "kubeproxy"), &c->services.kubeproxy);
	if (r)
		return oom(err);
	/* pod_security_configuration defaults to privileged unless an admission
	 * config file is passed by hand */
	struct cfg_kube_api *ka = &c->services.kube_api;
	bool psa_default = vmaj > 1 || vmin >= 23;
	if (psa_default && ka->pod_security_configuration && !*ka->pod_security_configuration) {
		free(ka->pod_security_configuration);
		ka->pod_security_configuration = NULL;
	}
	if (psa_default && !ka->pod_security_configuration &&
	    !cfg_kv_get(&ka->base.extra_args, "admission-control-config-file")) {
		free(ka->pod_security_configuration);
		if (!(ka->pod_security_configuration = strdup("privileged")))
			return oom(err);
	}

	/* network, authn, authz, ingress, dns, monitoring */
	const struct ynode *nw = get_map(root, "network");
	r |= get_str_def(nw, "plugin", "canal", &c->network.plugin);
	r |= get_kvs(nw, "options", &c->network.options);
	c->network.mtu = get_int(nw, "mtu", 0);
	static const struct { const char *block, *key, *opt; } prov[] = {
		{ "calico_network_provider", "cloudprovider", "calico_cloud_provider" },
		{ "canal_network_provider", "iface", "canal_iface" },
		{ "flannel_network_provider", "iface", "flannel_iface" },
		{ "weave_network_provider", "password", "WeavePassword" },
	};
	for (size_t i = 0; i < sizeof(prov) / sizeof(*prov); i++) {
		char *v = NULL;
		r |= get_str(get_map(nw, prov[i].block), prov[i].key, &v);
		if (v && *v)
			r |= kvs_set(&c->network.options, prov[i].opt, v);
		free(v);
	}
	const struct ynode *an = get_map(root, "authentication");
	r |= get_str_def(an, "strategy", "x509", &c->authentication.strategy);
	r |= get_strs(an, "sans", &c->authentication.sans);
	const struct ynode *wh = get_map(an, "webhook");
	r |= get_str(wh, "config_file", &c->authentication.webhook_config_file);
	r |= get_str_def(wh, "cache_timeout", wh ? "5s" : NULL, &c->authentication.webhook_cache_timeout);
	r |= get_str_def(get_map(root, "authorization"), "mode", "rbac", &c->authorization.mode);
	const struct ynode *in = get_map(root, "ingress");
	r |= get_str_def(in, "provider", "nginx", &c->ingress.provider);
	r |= get_kvs(in, "options", &c->ingress.options);
	r |= get_kvs(in, "extra_args", &c->ingress.extra_args);
	r |= get_str(in, "dns_policy", &c->ingress.dns_policy);
	r |= get_str_def(in, "network_mode", K8S_AT_LEAST(21, 0) ? "hostPort" : "hostNetwork",
			 &c->ingress.network_mode);
	c->ingress.http_port = get_int_nz(in, "http_port", 80);
	c->ingress.https_port = get_int_nz(in, "https_port", 443);
	const struct ynode *dn = get_map(root, "dns");
	r |= get_str_def(dn, "provider", K8S_AT_LEAST(14, 0) ? "coredns" : "kube-dns", &c->dns.provider);
#undef K8S_AT_LEAST
	r |= get_strs(dn, "upstreamnameservers", &c->dns.upstreamnameservers);
	r |= get_str(get_map(dn, "nodelocal"), "ip_address", &c->dns.nodelocal_ip);
	const struct ynode *mo = get_map(root, "monitoring");
	r |= get_str_def(mo, "provider", "metrics-server", &c->monitoring.provider);
	c->monitoring.replicas = get_int(mo, "replicas", 1);
	r |= read_registries(c, ymap_get(root, "private_registries"));

	/* upgrade strategy, restore, rotation */
	const struct ynode *us = get_map(root, "upgrade_strategy");
	r |= get_str_def(us, "max_unavailable_worker", "10%", &c->upgrade_strategy.max_unavailable_worker);
	r |= get_str_def(us, "max_unavailable_controlplane", "1",
			 &c->upgrade_strategy.max_unavailable_controlplane);
	c->upgrade_strategy.drain = get_tri(us, "drain");
	const struct ynode *nd = get_map(us, "node_drain_input");
	c->upgrade_strategy.force = get_bool(nd, "force", false);
	c->upgrade_strategy.ignore_daemonsets = get_bool(nd, "ignore_daemonsets", true);
	c->upgrade_strategy.delete_local_data = get_bool(nd, "delete_local_data", false);
	c->upgrade_strategy.grace_period = get_int_nz(nd, "grace_period", -1);
	c->upgrade_strategy.timeout = get_int_nz(nd, "timeout", 120);
	const struct ynode *rs = get_map(root, "restore");
	c->restore.restore = get_bool(rs, "restore", false);
	r |= get_str(rs, "snapshot_name", &c->restore.snapshot_name);
	const struct ynode *rc = get_map(root, "rotate_certificates");
	c->rotate_certificates.present = rc != NULL;
	c->rotate_certificates.cacertificates = get_bool(rc, "cacertificates", false);
	r |= get_strs(rc, "services", &c->rotate_certificates.services);
	return r ? oom(err) : 0;
}

void config_free(struct cluster *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nnodes; i++) {
		struct cfg_node *n = &c->nodes[i];
		free(n->address);
		free(n->port);
		free(n->internal_address);
		strs_free(&n->role);
		free(n->hostname_override);
		free(n->user);
		free(n->docker_socket);
		free(n->ssh_key);
		free(n->ssh_key_path);
		free(n->ssh_cert);
		free(n->ssh_cert_path);
		free(n->node_name);
		kvs_free(&n->labels);
		for (size_t j = 0; j < n->ntaints; j++) {
			free(n->taints[j].key);
			free(n->taints[j].value);
			free(n->taints[j].effect);
		}
		free(n->taints);
		boot_free(&n->boot);
	}
	free(c->nodes);
	struct cfg_etcd *e = &c->services.etcd;
	service_free(&e->base);
	strs_free(&e->external_urls);
	free(e->ca_cert);
	free(e->cert);
	free(e->key);
	free(e->path);
	free(e->creation);
	free(e->retention);
	free(e->backup.s3.access_key);
	free(e->backup.s3.secret_key);
	free(e->backup.s3.bucket_name);
	free(e->backup.s3.region);
	free(e->backup.s3.endpoint);
	free(e->backup.s3.custom_ca);
	free(e->backup.s3.folder);
	struct cfg_kube_api *a = &c->services.kube_api;
	service_free(&a->base);
	free(a->service_cluster_ip_range);
	free(a->service_node_port_range);
	free(a->pod_security_configuration);
	free(a->audit.path);
	free(a->audit.format);
	service_free(&c->services.kube_controller.base);
	free(c->services.kube_controller.cluster_cidr);
	free(c->services.kube_controller.service_cluster_ip_range);
	service_free(&c->services.scheduler);
	service_free(&c->services.kubelet.base);
	free(c->services.kubelet.cluster_domain);
	free(c->services.kubelet.infra_container_image);
	free(c->services.kubelet.cluster_dns_server);
	service_free(&c->services.kubeproxy);
	free(c->network.plugin);
	kvs_free(&c->network.options);
	free(c->authentication.strategy);
	strs_free(&c->authentication.sans);
	free(c->authentication.webhook_config_file);
	free(c->authentication.webhook_cache_timeout);
	free(c->authorization.mode);
	free(c->ingress.provider);
	kvs_free(&c->ingress.options);
	kvs_free(&c->ingress.extra_args);
	free(c->ingress.dns_policy);
	free(c->ingress.network_mode);
	free(c->dns.provider);
	strs_free(&c->dns.upstreamnameservers);
	free(c->dns.nodelocal_ip);
	free(c->monitoring.provider);
	kvs_free(&c->system_images);
	free(c->kubernetes_version);
	free(c->cluster_name);
	free(c->ssh_key_path);
	free(c->ssh_cert_path);
	free(c->prefix_path);
	free(c->win_prefix_path);
	free(c->addons);
	strs_free(&c->addons_include);
	for (size_t i = 0; i < c->nregistries; i++) {
		free(c->registries[i].url);
		free(c->registries[i].user);
		free(c->registries[i].password);
	}
	free(c->registries);
	free(c->bastion.address);
	free(c->bastion.port);
	free(c->bastion.user);
	free(c->bastion.ssh_key);
	free(c->bastion.ssh_key_path);
	free(c->bastion.ssh_cert);
	free(c->bastion.ssh_cert_path);
	free(c->upgrade_strategy.max_unavailable_worker);
	free(c->upgrade_strategy.max_unavailable_controlplane);
	free(c->restore.snapshot_name);
	strs_free(&c->rotate_certificates.services);
	free(c->cloud_provider_name);
	free(c->cri_dockerd_stream_server_address);
	free(c->cri_dockerd_stream_server_port);
	boot_free(&c->paddock.defaults);
	free(c->paddock.kernel);
	free(c->paddock.compression);
	strs_free(&c->paddock.formats);
	free(c->paddock.http_base);
	free(c->paddock.console);
	ynode_unref(c->root);
	free(c->file);
	free(c);
}

int config_load_buffer(const char *name, const char *buf, size_t len, struct cluster **out,
		       struct diag_list *diags, struct perr *err)
{
	struct ynode *root = NULL;
	int r;
	*out = NULL;
	if (len == 0)
		return perr_setat(err, -EINVAL, name, 1, 1,
				  "the file is empty: a cluster.yml needs at least `nodes:`");
	r = ytree_parse(name, buf, len, &root, diags, err);
	if (r < 0)
		return r;
	if (!root || ynode_is_null(root)) {
		ynode_unref(root);
		return perr_setat(err, -EINVAL, name, 1, 1,
				  "the file has no content (only comments or blank lines): "
				  "a cluster.yml needs at least `nodes:`");
	}
	r = config_check_schema(root, name, diags, err);
	if (r < 0) {
		ynode_unref(root);
		return r;
	}
	struct cluster *c = calloc(1, sizeof(*c));
	if (!c || !(c->file = strdup(name))) {
		free(c);
		ynode_unref(root);
		return oom(err);
	}
	c->root = root;
	r = config_read(c, diags, err);
	if (r == 0)
		r = config_validate(c, diags, err);
	if (r < 0) {
		config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int config_load(const char *path, struct cluster **out, struct diag_list *diags, struct perr *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r = ytree_read_file(path, &buf, &len, err);
	if (r < 0)
		return r;
	r = config_load_buffer(path, buf, len, out, diags, err);
	free(buf);
	return r;
}

/* Paddock's image defaults for PADDOCK_DEFAULT_K8S.  The kubernetes image
 * follows kubernetes_version (rancher/hyperkube:<version without the last
 * "-N">) unless system_images.kubernetes is set. */
static const struct cfg_kv default_images[] = {
	{ (char *)"etcd", (char *)"rancher/mirrored-coreos-etcd:v3.5.16" },
	{ (char *)"alpine", (char *)"rancher/rke-tools:v0.1.111" },
	{ (char *)"nginx_proxy", (char *)"rancher/rke-tools:v0.1.111" },
	{ (char *)"cert_downloader", (char *)"rancher/rke-tools:v0.1.111" },
	{ (char *)"kubernetes_services_sidecar", (char *)"rancher/rke-tools:v0.1.111" },
	{ (char *)"pod_infra_container", (char *)"rancher/mirrored-pause:3.7" },
	{ (char *)"coredns", (char *)"rancher/mirrored-coredns-coredns:1.11.3" },
	{ (char *)"metrics_server", (char *)"rancher/mirrored-metrics-server:v0.7.2" },
	{ (char *)"ingress", (char *)"rancher/nginx-ingress-controller:v1.11.5-hardened1" },
	{ (char *)"canal_node", (char *)"rancher/mirrored-calico-node:v3.29.2" },
	{ (char *)"canal_cni", (char *)"rancher/calico-cni:v3.29.2-rancher1" },
	{ (char *)"canal_flannel", (char *)"rancher/mirrored-flannel-flannel:v0.26.4" },
	{ NULL, NULL },
};

char *cfg_system_image(const struct cluster *c, const char *key)
{
	const char *v = cfg_kv_get(&c->system_images, key);
	char *img = NULL;
	bool defaulted = !v || !*v;
	if (!defaulted) {
		img = strdup(v);
	} else if (!strcmp(key, "kubernetes")) {
		const char *ver = c->kubernetes_version;
		const char *dash = strrchr(ver, '-');
		size_t n = dash && dash > strchr(ver, '-') ? (size_t)(dash - ver) : strlen(ver);
		if (asprintf(&img, "rancher/hyperkube:%.*s", (int)n, ver) < 0)
			img = NULL;
	} else {
		for (size_t i = 0; default_images[i].key; i++)
			if (!strcmp(default_images[i].key, key))
				img = strdup(default_images[i].val);
	}
	if (!img || !defaulted)
		return img;
	/* RKE prefixes the first is_default registry to defaulted images only */
	for (size_t i = 0; i < c->nregistries; i++)
		if (c->registries[i].is_default) {
			char *r = NULL;
			if (asprintf(&r, "%s/%s", c->registries[i].url, img) < 0)
				r = NULL;
			free(img);
			return r;
		}
	return img;
}
