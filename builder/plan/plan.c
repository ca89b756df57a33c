/* plan: per node, the roles, containers (image, user, flags), certificates
 * and files, derived from the validated cluster model the way RKE derives
 * them (cluster/plan.go), except where paddock deliberately differs: etcd
 * runs as uid:gid (RKE formats uid:uid). */
#include "plan/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/netaddr.h"

#define SSL_DIR "/etc/kubernetes/ssl"

struct sv {
	char **v;
	size_t n, cap;
	bool oom;
};

static void sv_add(struct sv *s, const char *str)
{
	if (s->oom)
		return;
	if (s->n + 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		char **p = realloc(s->v, nc * sizeof(*p));
		if (!p) {
			s->oom = true;
			return;
		}
		s->v = p;
		s->cap = nc;
	}
	if (!(s->v[s->n] = strdup(str))) {
		s->oom = true;
		return;
	}
	s->v[++s->n] = NULL;
}

static void sv_addf(struct sv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sv_addf(struct sv *s, const char *fmt, ...)
{
	va_list ap;
	char *str = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (r < 0) {
		s->oom = true;
		return;
	}
	sv_add(s, str);
	free(str);
}

static bool sv_has(const struct sv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return true;
	return false;
}

/* Takes the vector (NULL-terminated, possibly empty). */
static char **sv_take(struct sv *s)
{
	if (!s->v && !s->oom) {
		s->v = calloc(1, sizeof(char *));
		if (!s->v)
			s->oom = true;
	}
	char **v = s->v;
	s->v = NULL;
	s->n = s->cap = 0;
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Flag maps: name -> value, later settings win, rendered sorted. */
struct flags {
	struct cfg_kvs kv;
	bool oom;
};

static void fl_set(struct flags *f, const char *k, const char *v)
{
	for (size_t i = 0; i < f->kv.n; i++)
		if (!strcmp(f->kv.v[i].key, k)) {
			char *nv = strdup(v);
			if (!nv) {
				f->oom = true;
				return;
			}
			free(f->kv.v[i].val);
			f->kv.v[i].val = nv;
			return;
		}
	struct cfg_kv *p = realloc(f->kv.v, (f->kv.n + 1) * sizeof(*p));
	if (!p) {
		f->oom = true;
		return;
	}
	f->kv.v = p;
	p[f->kv.n].key = strdup(k);
	p[f->kv.n].val = strdup(v);
	if (!p[f->kv.n].key || !p[f->kv.n].val) {
		free(p[f->kv.n].key);
		free(p[f->kv.n].val);
		f->oom = true;
		return;
	}
	f->kv.n++;
}

static void fl_setf(struct flags *f, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fl_setf(struct flags *f, const char *k, const char *fmt, ...)
{
	va_list ap;
	char *str = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (r < 0) {
		f->oom = true;
		return;
	}
	fl_set(f, k, str);
	free(str);
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct cfg_kv *)a)->key, ((const struct cfg_kv *)b)->key);
}

/* Applies the service's extra_args (override) and extra_args_array, renders. */
static char **fl_render(struct flags *f, const struct cfg_service *svc, bool *oom)
{
	struct sv out = { 0 };
	for (size_t i = 0; svc && i < svc->extra_args.n; i++)
		fl_set(f, svc->extra_args.v[i].key, svc->extra_args.v[i].val);
	qsort(f->kv.v, f->kv.n, sizeof(*f->kv.v), cmp_kv);
	for (size_t i = 0; i < f->kv.n; i++)
		sv_addf(&out, "--%s=%s", f->kv.v[i].key, f->kv.v[i].val);
	for (size_t i = 0; svc && i < svc->extra_args_array.n; i++)
		for (size_t j = 0; j < svc->extra_args_array.vals[i].n; j++)
			sv_addf(&out, "--%s=%s", svc->extra_args_array.keys[i],
				svc->extra_args_array.vals[i].v[j]);
	for (size_t i = 0; i < f->kv.n; i++) {
		free(f->kv.v[i].key);
		free(f->kv.v[i].val);
	}
	free(f->kv.v);
	*oom |= f->oom || out.oom;
	return sv_take(&out);
}

struct pnode {
	struct plan_node pub;
	struct plan_container *ct;
	size_t nct;
	struct plan_cert *certs;
	size_t ncerts;
	struct plan_file *files;
	size_t nfiles;
};

struct plan {
	struct cluster *c;
	struct plan_build_opts opts;
	struct pnode *nodes;
	size_t n;
	char *initial_cluster;
	char *etcd_servers;
	char *etcd_user;
	char **sans_etcd;       /* shared by every etcd node's certificate */
	char **sans_api;        /* shared by every control plane node's */
	char *cp_hosts;         /* control plane internal addresses, comma-separated */
	bool oom;
};

/* --- small helpers ------------------------------------------------------- */

static char *xasprintf(bool *oom, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *xasprintf(bool *oom, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		*oom = true;
	}
	va_end(ap);
	return s;
}

static char *dashed(const char *s, bool *oom)
{
	char *d = strdup(s);
	if (!d) {
		*oom = true;
		return NULL;
	}
	for (char *p = d; *p; p++)
		if (*p == '.' || *p == ':')
			*p = '-';
	return d;
}

static bool is_ip(const char *s)
{
	struct ipaddr a;
	return s && ip_parse(s, &a);
}

static const char *prefix(const struct cluster *c)
{
	/* "/" is RKE's default; other values are used verbatim */
	return strcmp(c->prefix_path, "/") ? c->prefix_path : "";
}

static struct plan_container *ct_new(struct pnode *pn, const char *name, char *image, bool *oom)
{
	struct plan_container *p = realloc(pn->ct, (pn->nct + 1) * sizeof(*p));
	if (!p || !image) {
		free(image);
		*oom = true;
		return NULL;
	}
	pn->ct = p;
	struct plan_container *c = &p[pn->nct++];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	c->image = image;
	if (!c->name)
		*oom = true;
	return c;
}

static void cert_add(struct pnode *pn, const char *name, const char *cn, struct sv *sans, bool *oom)
{
	struct plan_cert *p = realloc(pn->certs, (pn->ncerts + 1) * sizeof(*p));
	if (!p) {
		*oom = true;
		strv_free(sv_take(sans));
		return;
	}
	pn->certs = p;
	struct plan_cert *c = &p[pn->ncerts++];
	c->name = strdup(name);
	c->common_name = strdup(cn);
	*oom |= sans->oom;
	c->sans = sv_take(sans);
	if (!c->name || !c->common_name || !c->sans)
		*oom = true;
}

static void file_add(struct pnode *pn, const char *path, unsigned mode, const char *source, bool *oom)
{
	struct plan_file *p = realloc(pn->files, (pn->nfiles + 1) * sizeof(*p));
	if (!p || !path) {
		*oom = true;
		return;
	}
	pn->files = p;
	struct plan_file *f = &p[pn->nfiles++];
	f->path = strdup(path);
	f->mode = mode;
	f->source = strdup(source);
	if (!f->path || !f->source)
		*oom = true;
}

static void cert_files(struct pnode *pn, const char *stem, bool *oom)
{
	char *a = xasprintf(oom, SSL_DIR "/%s.pem", stem);
	char *b = xasprintf(oom, SSL_DIR "/%s-key.pem", stem);
	file_add(pn, a, 0644, "state", oom);
	file_add(pn, b, 0600, "state", oom);
	free(a);
	free(b);
}

/* SANs as RKE's pki.GetAltNames builds them for a set of hosts. */
static void alt_names(const struct cluster *c, const char *role, struct sv *s, bool with_k8s,
		      bool user_sans)
{
	sv_add(s, "localhost");
	sv_add(s, "127.0.0.1");
	if (with_k8s) {
		char ip[64];
		sv_add(s, "kubernetes");
		sv_add(s, "kubernetes.default");
		sv_add(s, "kubernetes.default.svc");
		sv_addf(s, "kubernetes.default.svc.%s", c->services.kubelet.cluster_domain);
		if (cidr_nth(c->services.kube_api.service_cluster_ip_range, 1, ip, sizeof(ip)))
			sv_add(s, ip);
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		if (!cfg_has_role(n, role))
			continue;
		const char *names[] = { n->hostname_override, n->address, n->internal_address };
		for (int k = 0; k < 3; k++)
			if (names[k] && *names[k] && !sv_has(s, names[k]))
				sv_add(s, names[k]);
	}
	if (user_sans)
		for (size_t i = 0; i < c->authentication.sans.n; i++)
			if (!sv_has(s, c->authentication.sans.v[i]))
				sv_add(s, c->authentication.sans.v[i]);
}

/* --- containers ----------------------------------------------------------- */

static const char *tls_ciphers =
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305";

static void add_binds_env(struct plan_container *ct, const struct cfg_service *svc, struct sv *binds,
			  struct sv *env, bool *oom)
{
	for (size_t i = 0; svc && i < svc->extra_binds.n; i++)
		sv_add(binds, svc->extra_binds.v[i]);
	for (size_t i = 0; svc && i < svc->extra_env.n; i++)
		sv_add(env, svc->extra_env.v[i]);
	*oom |= binds->oom || env->oom;
	ct->binds = sv_take(binds);
	ct->env = sv_take(env);
	if (!ct->binds || !ct->env)
		*oom = true;
}

static void plan_etcd(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	const struct cfg_etcd *e = &c->services.etcd;
	bool *oom = &p->oom;
	struct plan_container *ct = ct_new(pn, "etcd", cfg_system_image(c, "etcd"), oom);
	if (!ct)
		return;
	char *stem = NULL, *d = dashed(n->internal_address, oom);
	stem = xasprintf(oom, "kube-etcd-%s", d ? d : "");
	free(d);
	struct flags f = { 0 };
	fl_setf(&f, "name", "etcd-%s", n->hostname_override);
	fl_set(&f, "data-dir", "/var/lib/rancher/etcd/");
	fl_setf(&f, "advertise-client-urls", "https://%s:2379", n->internal_address);
	fl_set(&f, "listen-client-urls", "https://0.0.0.0:2379");
	fl_setf(&f, "initial-advertise-peer-urls", "https://%s:2380", n->internal_address);
	fl_set(&f, "listen-peer-urls", "https://0.0.0.0:2380");
	fl_set(&f, "initial-cluster-token", "etcd-cluster-1");
	fl_set(&f, "initial-cluster", p->initial_cluster ? p->initial_cluster : "");
	fl_set(&f, "initial-cluster-state", "new");
	fl_set(&f, "client-cert-auth", "true");
	fl_set(&f, "peer-client-cert-auth", "true");
	fl_set(&f, "trusted-ca-file", SSL_DIR "/kube-ca.pem");
	fl_set(&f, "peer-trusted-ca-file", SSL_DIR "/kube-ca.pem");
	fl_setf(&f, "cert-file", SSL_DIR "/%s.pem", stem ? stem : "");
	fl_setf(&f, "key-file", SSL_DIR "/%s-key.pem", stem ? stem : "");
	fl_setf(&f, "peer-cert-file", SSL_DIR "/%s.pem", stem ? stem : "");
	fl_setf(&f, "peer-key-file", SSL_DIR "/%s-key.pem", stem ? stem : "");
	fl_set(&f, "cipher-suites", tls_ciphers);
	ct->args = fl_render(&f, &e->base, oom);
	/* RKE's bug formats uid twice ("uid:uid"); paddock runs uid:gid */
	if (p->etcd_user && !(ct->user = strdup(p->etcd_user)))
		*oom = true;
	struct sv binds = { 0 }, env = { 0 };
	sv_addf(&binds, "%s/var/lib/etcd:/var/lib/rancher/etcd/:z", prefix(c));
	sv_addf(&binds, "%s/etc/kubernetes:/etc/kubernetes:z", prefix(c));
	sv_add(&env, "ETCDCTL_API=3");
	sv_add(&env, "ETCDCTL_CACERT=" SSL_DIR "/kube-ca.pem");
	sv_addf(&env, "ETCDCTL_CERT=" SSL_DIR "/%s.pem", stem ? stem : "");
	sv_addf(&env, "ETCDCTL_KEY=" SSL_DIR "/%s-key.pem", stem ? stem : "");
	sv_add(&env, "ETCDCTL_ENDPOINTS=https://127.0.0.1:2379");
	add_binds_env(ct, &e->base, &binds, &env, oom);

	/* the etcd serving/peer certificate: SANs of every etcd host */
	struct sv sans = { 0 };
	cert_add(pn, stem ? stem : "kube-etcd", "kube-etcd", &sans, oom);
	if (pn->ncerts && !*oom) {
		strv_free(pn->certs[pn->ncerts - 1].sans);
		pn->certs[pn->ncerts - 1].sans = p->sans_etcd;
	}
	cert_files(pn, stem ? stem : "kube-etcd", oom);

	bool snap = e->backup.present ? e->backup.enabled : e->snapshot;
	if (snap) {
		struct plan_container *s = ct_new(pn, "etcd-rolling-snapshots",
						  cfg_system_image(c, "alpine"), oom);
		if (s) {
			struct sv a = { 0 }, b = { 0 }, en = { 0 };
			long long iv = e->backup.present ? e->backup.interval_hours : 0;
			sv_add(&a, "/opt/rke-tools/rke-etcd-backup");
			sv_add(&a, "etcd-backup");
			sv_add(&a, "save");
			sv_add(&a, "--cacert=" SSL_DIR "/kube-ca.pem");
			sv_addf(&a, "--cert=" SSL_DIR "/%s.pem", stem ? stem : "");
			sv_addf(&a, "--key=" SSL_DIR "/%s-key.pem", stem ? stem : "");
			sv_add(&a, "--name=etcd-rolling-snapshots");
			sv_addf(&a, "--endpoints=%s:2379", n->internal_address);
			if (e->backup.present) {
				sv_addf(&a, "--retention=%lldh", e->backup.retention * iv);
				sv_addf(&a, "--creation=%lldh", iv);
			} else {
				sv_addf(&a, "--retention=%s", e->retention);
				sv_addf(&a, "--creation=%s", e->creation);
			}
			if (e->backup.s3.present) {
				sv_add(&a, "--s3-backup=true");
				sv_addf(&a, "--s3-endpoint=%s", e->backup.s3.endpoint);
				sv_addf(&a, "--s3-bucketName=%s", e->backup.s3.bucket_name);
				if (e->backup.s3.region && *e->backup.s3.region)
					sv_addf(&a, "--s3-region=%s", e->backup.s3.region);
				if (e->backup.s3.folder && *e->backup.s3.folder)
					sv_addf(&a, "--s3-folder=%s", e->backup.s3.folder);
			}
			*oom |= a.oom;
			s->args = sv_take(&a);
			if (p->etcd_user && !(s->user = strdup(p->etcd_user)))
				*oom = true;
			sv_addf(&b, "%s/opt/rke/etcd-snapshots:/backup:z", prefix(c));
			sv_addf(&b, "%s/etc/kubernetes:/etc/kubernetes:z", prefix(c));
			add_binds_env(s, NULL, &b, &en, oom);
		}
	}
	free(stem);
}

static void plan_controlplane(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	const struct cfg_kube_api *a = &c->services.kube_api;
	bool *oom = &p->oom;
	int maj = 1, min = 99, patch = 0;
	(void)cfg_k8s_version(c->kubernetes_version, &maj, &min, &patch);

	struct plan_container *ct = ct_new(pn, "kube-apiserver", cfg_system_image(c, "kubernetes"), oom);
	if (!ct)
		return;
	struct flags f = { 0 };
	if (c->services.etcd.external_urls.n) {
		struct sv u = { 0 };
		size_t len = 1;
		for (size_t i = 0; i < c->services.etcd.external_urls.n; i++)
			len += strlen(c->services.etcd.external_urls.v[i]) + 1;
		char *j = calloc(1, len);
		for (size_t i = 0; j && i < c->services.etcd.external_urls.n; i++) {
			if (i)
				strcat(j, ",");
			strcat(j, c->services.etcd.external_urls.v[i]);
		}
		fl_set(&f, "etcd-servers", j ? j : "");
		fl_set(&f, "etcd-prefix", c->services.etcd.path);
		*oom |= !j;
		free(j);
		strv_free(sv_take(&u));
	} else {
		fl_set(&f, "etcd-servers", p->etcd_servers ? p->etcd_servers : "");
		fl_set(&f, "etcd-prefix", "/registry");
	}
	fl_set(&f, "etcd-cafile", SSL_DIR "/kube-ca.pem");
	fl_set(&f, "etcd-certfile", SSL_DIR "/kube-node.pem");
	fl_set(&f, "etcd-keyfile", SSL_DIR "/kube-node-key.pem");
	if (is_ip(n->internal_address))
		fl_set(&f, "advertise-address", n->internal_address);
	fl_set(&f, "allow-privileged", "true");
	fl_set(&f, "anonymous-auth", "false");
	if (!strcmp(c->authorization.mode, "rbac"))
		fl_set(&f, "authorization-mode", "Node,RBAC");
	fl_set(&f, "bind-address", "0.0.0.0");
	fl_set(&f, "secure-port", "6443");
	fl_set(&f, "service-cluster-ip-range", a->service_cluster_ip_range);
	fl_set(&f, "service-node-port-range", a->service_node_port_range);
	fl_set(&f, "client-ca-file", SSL_DIR "/kube-ca.pem");
	fl_set(&f, "tls-cert-file", SSL_DIR "/kube-apiserver.pem");
	fl_set(&f, "tls-private-key-file", SSL_DIR "/kube-apiserver-key.pem");
	fl_set(&f, "kubelet-client-certificate", SSL_DIR "/kube-apiserver.pem");
	fl_set(&f, "kubelet-client-key", SSL_DIR "/kube-apiserver-key.pem");
	fl_set(&f, "kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname");
	fl_set(&f, "service-account-key-file", SSL_DIR "/kube-service-account-token-key.pem");
	fl_set(&f, "service-account-signing-key-file", SSL_DIR "/kube-service-account-token-key.pem");
	fl_set(&f, "service-account-issuer", "rke");
	fl_set(&f, "service-account-lookup", "true");
	fl_set(&f, "profiling", "false");
	fl_set(&f, "tls-cipher-suites", tls_ciphers);
	fl_set(&f, "requestheader-client-ca-file", SSL_DIR "/kube-apiserver-requestheader-ca.pem");
	fl_set(&f, "proxy-client-cert-file", SSL_DIR "/kube-apiserver-proxy-client.pem");
	fl_set(&f, "proxy-client-key-file", SSL_DIR "/kube-apiserver-proxy-client-key.pem");
	fl_set(&f, "requestheader-allowed-names", "kube-apiserver-proxy-client");
	fl_set(&f, "requestheader-extra-headers-prefix", "X-Remote-Extra-");
	fl_set(&f, "requestheader-group-headers", "X-Remote-Group");
	fl_set(&f, "requestheader-username-headers", "X-Remote-User");
	char *plugins = xasprintf(oom, "NamespaceLifecycle,LimitRanger,ServiceAccount,"
				  "DefaultStorageClass,DefaultTolerationSeconds,MutatingAdmissionWebhook,"
				  "ValidatingAdmissionWebhook,ResourceQuota,NodeRestriction%s%s%s",
				  a->pod_security_configuration ? ",PodSecurity" : "",
				  a->event_rate_limit ? ",EventRateLimit" : "",
				  a->always_pull_images ? ",AlwaysPullImages" : "");
	fl_set(&f, "enable-admission-plugins", plugins ? plugins : "");
	free(plugins);
	bool admission = a->pod_security_configuration || a->event_rate_limit || a->admission_configuration;
	if (admission)
		fl_set(&f, "admission-control-config-file", "/etc/kubernetes/admission.yaml");
	if (a->audit.enabled) {
		fl_set(&f, "audit-log-path", a->audit.path);
		fl_setf(&f, "audit-log-maxage", "%lld", a->audit.max_age);
		fl_setf(&f, "audit-log-maxbackup", "%lld", a->audit.max_backup);
		fl_setf(&f, "audit-log-maxsize", "%lld", a->audit.max_size);
		fl_set(&f, "audit-log-format", a->audit.format);
		fl_set(&f, "audit-policy-file", "/etc/kubernetes/audit-policy.yaml");
	}
	if (a->secrets_encryption)
		fl_set(&f, "encryption-provider-config", SSL_DIR "/encryption.yaml");
	if (strstr(c->authentication.strategy, "webhook")) {
		fl_set(&f, "authentication-token-webhook-config-file", "/etc/kubernetes/kube-api-authn-webhook.yaml");
		fl_set(&f, "authentication-token-webhook-cache-ttl",
		       c->authentication.webhook_cache_timeout ? c->authentication.webhook_cache_timeout : "5s");
	}
	if (c->cloud_provider_name && *c->cloud_provider_name)
		fl_set(&f, "cloud-provider", c->cloud_provider_name);
	ct->args = fl_render(&f, &a->base, oom);
	struct sv binds = { 0 }, env = { 0 };
	sv_addf(&binds, "%s/etc/kubernetes:/etc/kubernetes:z", prefix(c));
	if (a->audit.enabled)
		sv_addf(&binds, "%s/var/log/kube-audit:/var/log/kube-audit:z", prefix(c));
	add_binds_env(ct, &a->base, &binds, &env, oom);

	ct = ct_new(pn, "kube-controller-manager", cfg_system_image(c, "kubernetes"), oom);
	if (!ct)
		return;
	const struct cfg_kube_controller *kc = &c->services.kube_controller;
	f = (struct flags){ 0 };
	fl_set(&f, "kubeconfig", SSL_DIR "/kubecfg-kube-controller-manager.yaml");
	fl_set(&f, "allocate-node-cidrs", "true");
	fl_set(&f, "cluster-cidr", kc->cluster_cidr);
	fl_set(&f, "service-cluster-ip-range", kc->service_cluster_ip_range);
	fl_set(&f, "root-ca-file", SSL_DIR "/kube-ca.pem");
	fl_set(&f, "service-account-private-key-file", SSL_DIR "/kube-service-account-token-key.pem");
	fl_set(&f, "use-service-account-credentials", "true");
	fl_set(&f, "leader-elect", "true");
	fl_set(&f, "profiling", "false");
	fl_set(&f, "terminated-pod-gc-threshold", "1000");
	fl_set(&f, "node-monitor-grace-period", "40s");
	fl_set(&f, "configure-cloud-routes", "false");
	fl_set(&f, "v", "2");
	if (c->cloud_provider_name && *c->cloud_provider_name)
		fl_set(&f, "cloud-provider", c->cloud_provider_name);
	ct->args = fl_render(&f, &kc->base, oom);
	binds = (struct sv){ 0 };
	env = (struct sv){ 0 };
	sv_addf(&binds, "%s/etc/kubernetes:/etc/kubernetes:z", prefix(c));
	add_binds_env(ct, &kc->base, &binds, &env, oom);

	ct = ct_new(pn, "kube-scheduler", cfg_system_image(c, "kubernetes"), oom);
	if (!ct)
		return;
	f = (struct flags){ 0 };
	fl_set(&f, "kubeconfig", SSL_DIR "/kubecfg-kube-scheduler.yaml");
	fl_set(&f, "leader-elect", "true");
	fl_set(&f, "profiling", "false");
	fl_set(&f, "v", "2");
	ct->args = fl_render(&f, &c->services.scheduler, oom);
	binds = (struct sv){ 0 };
	env = (struct sv){ 0 };
	sv_addf(&binds, "%s/etc/kubernetes:/etc/kubernetes:z", prefix(c));
	add_binds_env(ct, &c->services.scheduler, &binds, &env, oom);

	struct sv sans = { 0 };
	cert_add(pn, "kube-apiserver", "kube-apiserver", &sans, oom);
	if (pn->ncerts && !*oom) {
		strv_free(pn->certs[pn->ncerts - 1].sans);
		pn->certs[pn->ncerts - 1].sans = p->sans_api;
	}
	cert_files(pn, "kube-apiserver", oom);
	sans = (struct sv){ 0 };
	cert_add(pn, "kube-controller-manager", "system:kube-controller-manager", &sans, oom);
	cert_files(pn, "kube-controller-manager", oom);
	sans = (struct sv){ 0 };
	cert_add(pn, "kube-scheduler", "system:kube-scheduler", &sans, oom);
	cert_files(pn, "kube-scheduler", oom);
	sans = (struct sv){ 0 };
	cert_add(pn, "kube-apiserver-proxy-client", "kube-apiserver-proxy-client", &sans, oom);
	cert_files(pn, "kube-apiserver-proxy-client", oom);
	file_add(pn, SSL_DIR "/kube-apiserver-requestheader-ca.pem", 0644, "state", oom);
	file_add(pn, SSL_DIR "/kube-service-account-token-key.pem", 0600, "state", oom);
	file_add(pn, SSL_DIR "/kubecfg-kube-controller-manager.yaml", 0600, "generated", oom);
	file_add(pn, SSL_DIR "/kubecfg-kube-scheduler.yaml", 0600, "generated", oom);
	if (a->audit.enabled)
		file_add(pn, "/etc/kubernetes/audit-policy.yaml", 0600,
			 a->audit.policy ? "cluster.yml" : "generated", oom);
	if (admission)
		file_add(pn, "/etc/kubernetes/admission.yaml", 0600, "generated", oom);
	if (a->secrets_encryption)
		file_add(pn, SSL_DIR "/encryption.yaml", 0600,
			 a->encryption_custom_config ? "cluster.yml" : "state", oom);
	(void)maj;
}

static void plan_worker_common(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	const struct cfg_kubelet *k = &c->services.kubelet;
	bool *oom = &p->oom;
	int maj = 1, min = 99, patch = 0;
	(void)cfg_k8s_version(c->kubernetes_version, &maj, &min, &patch);

	struct plan_container *ct = ct_new(pn, "kubelet", cfg_system_image(c, "kubernetes"), oom);
	if (!ct)
		return;
	struct flags f = { 0 };
	char *infra = k->infra_container_image && *k->infra_container_image
			      ? strdup(k->infra_container_image)
			      : cfg_system_image(c, "pod_infra_container");
	fl_set(&f, "kubeconfig", SSL_DIR "/kubecfg-kube-node.yaml");
	fl_set(&f, "hostname-override", n->hostname_override);
	fl_set(&f, "cluster-domain", k->cluster_domain);
	fl_set(&f, "cluster-dns", k->cluster_dns_server);
	fl_set(&f, "pod-infra-container-image", infra ? infra : "");
	free(infra);
	fl_set(&f, "fail-swap-on", k->fail_swap_on ? "true" : "false");
	if (is_ip(n->internal_address))
		fl_set(&f, "node-ip", n->internal_address);
	fl_set(&f, "address", "0.0.0.0");
	fl_set(&f, "anonymous-auth", "false");
	fl_set(&f, "authentication-token-webhook", "true");
	fl_set(&f, "client-ca-file", SSL_DIR "/kube-ca.pem");
	fl_set(&f, "read-only-port", "0");
	fl_set(&f, "streaming-connection-idle-timeout", "30m");
	fl_set(&f, "make-iptables-util-chains", "true");
	fl_set(&f, "event-qps", "0");
	fl_set(&f, "protect-kernel-defaults", "true");
	fl_set(&f, "tls-cipher-suites", tls_ciphers);
	fl_set(&f, "resolv-conf", "/etc/resolv.conf");
	fl_set(&f, "root-dir", "/var/lib/kubelet");
	fl_set(&f, "v", "2");
	if (maj > 1 || min >= 24)
		fl_set(&f, "container-runtime-endpoint", "unix:///var/run/cri-dockerd.sock");
	if (k->generate_serving_certificate) {
		char *d = dashed(n->internal_address, oom);
		fl_setf(&f, "tls-cert-file", SSL_DIR "/kube-kubelet-%s.pem", d ? d : "");
		fl_setf(&f, "tls-private-key-file", SSL_DIR "/kube-kubelet-%s-key.pem", d ? d : "");
		free(d);
	}
	if (c->cloud_provider_name && *c->cloud_provider_name)
		fl_set(&f, "cloud-provider", c->cloud_provider_name);
	ct->args = fl_render(&f, &k->base, oom);
	struct sv binds = { 0 }, env = { 0 };
	sv_addf(&binds, "%s/etc/kubernetes:/etc/kubernetes:z", prefix(c));
	sv_add(&binds, "/etc/cni:/etc/cni:rw,z");
	sv_add(&binds, "/opt/cni:/opt/cni:rw,z");
	sv_addf(&binds, "%s/var/lib/cni:/var/lib/cni:z", prefix(c));
	sv_add(&binds, "/var/lib/calico:/var/lib/calico:z");
	sv_add(&binds, "/etc/resolv.conf:/etc/resolv.conf");
	sv_add(&binds, "/sys:/sys:rprivate");
	sv_addf(&binds, "%s/var/lib/docker:/var/lib/docker:rw,rslave,z", prefix(c));
	sv_addf(&binds, "%s/var/lib/kubelet:/var/lib/kubelet:shared,z", prefix(c));
	sv_add(&binds, "/var/run:/var/run:rw,rprivate");
	sv_add(&binds, "/run:/run:rprivate");
	sv_add(&binds, "/dev:/host/dev:rprivate");
	sv_add(&binds, "/var/log/containers:/var/log/containers:z");
	sv_add(&binds, "/var/log/pods:/var/log/pods:z");
	if (maj > 1 || min >= 24)
		sv_addf(&binds, "%s/var/lib/cri-dockerd:/var/lib/cri-dockerd:z", prefix(c));
	if (c->cri_dockerd_stream_server_address && *c->cri_dockerd_stream_server_address)
		sv_addf(&env, "RKE_KUBELET_CRIDOCKERD_STREAM_ADDRESS=%s",
			c->cri_dockerd_stream_server_address);
	if (c->cri_dockerd_stream_server_port && *c->cri_dockerd_stream_server_port)
		sv_addf(&env, "RKE_KUBELET_CRIDOCKERD_STREAM_PORT=%s", c->cri_dockerd_stream_server_port);
	add_binds_env(ct, &k->base, &binds, &env, oom);

	ct = ct_new(pn, "kube-proxy", cfg_system_image(c, "kubernetes"), oom);
	if (!ct)
		return;
	f = (struct flags){ 0 };
	fl_set(&f, "cluster-cidr", c->services.kube_controller.cluster_cidr);
	fl_set(&f, "hostname-override", n->hostname_override);
	fl_set(&f, "kubeconfig", SSL_DIR "/kubecfg-kube-proxy.yaml");
	fl_set(&f, "healthz-bind-address", "127.0.0.1");
	fl_set(&f, "v", "2");
	ct->args = fl_render(&f, &c->services.kubeproxy, oom);
	binds = (struct sv){ 0 };
	env = (struct sv){ 0 };
	sv_addf(&binds, "%s/etc/kubernetes:/etc/kubernetes:z", prefix(c));
	sv_add(&binds, "/run:/run");
	sv_add(&binds, "/lib/modules:/lib/modules:z,ro");
	add_binds_env(ct, &c->services.kubeproxy, &binds, &env, oom);

	/* nodes without the control plane reach the API through a local proxy */
	if (!cfg_has_role(n, "controlplane")) {
		ct = ct_new(pn, "nginx-proxy", cfg_system_image(c, "nginx_proxy"), oom);
		if (ct) {
			struct sv a = { 0 }, b = { 0 }, e = { 0 };
			sv_add(&a, "nginx-proxy");
			sv_addf(&e, "CP_HOSTS=%s", p->cp_hosts);
			*oom |= a.oom;
			ct->args = sv_take(&a);
			add_binds_env(ct, NULL, &b, &e, oom);
		}
	}
	ct = ct_new(pn, "service-sidekick", cfg_system_image(c, "kubernetes_services_sidecar"), oom);
	if (ct) {
		struct sv a = { 0 }, b = { 0 }, e = { 0 };
		ct->args = sv_take(&a);
		*oom |= !ct->args;
		add_binds_env(ct, NULL, &b, &e, oom);
	}

	struct sv sans = { 0 };
	cert_add(pn, "kube-node", "system:node", &sans, oom);
	cert_files(pn, "kube-node", oom);
	sans = (struct sv){ 0 };
	cert_add(pn, "kube-proxy", "system:kube-proxy", &sans, oom);
	cert_files(pn, "kube-proxy", oom);
	if (k->generate_serving_certificate) {
		char *d = dashed(n->internal_address, oom);
		char *stem = xasprintf(oom, "kube-kubelet-%s", d ? d : "");
		sans = (struct sv){ 0 };
		const char *names[] = { n->hostname_override, n->address, n->internal_address };
		for (int i = 0; i < 3; i++)
			if (names[i] && !sv_has(&sans, names[i]))
				sv_add(&sans, names[i]);
		cert_add(pn, stem ? stem : "kube-kubelet", "kube-kubelet", &sans, oom);
		cert_files(pn, stem ? stem : "kube-kubelet", oom);
		free(stem);
		free(d);
	}
	file_add(pn, SSL_DIR "/kubecfg-kube-node.yaml", 0600, "generated", oom);
	file_add(pn, SSL_DIR "/kubecfg-kube-proxy.yaml", 0600, "generated", oom);
}

static void plan_node_files_common(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	bool *oom = &p->oom;
	const struct cluster *c = p->c;
	file_add(pn, NODECFG_PATH, 0644, "generated", oom);
	file_add(pn, SSL_DIR "/kube-ca.pem", 0644, "state", oom);
	file_add(pn, "/etc/ssh/ssh_host_ed25519_key", 0600, "state", oom);
	file_add(pn, "/etc/ssh/ssh_host_ed25519_key.pub", 0644, "state", oom);
	/* the admin's public key, so the node stays reachable the RKE way */
	char *dst = xasprintf(oom, "/etc/ssh/authorized_keys/%s", n->user ? n->user : "root");
	char *src = n->ssh_key && *n->ssh_key ? xasprintf(oom, "nodes[].ssh_key (public part)")
					      : xasprintf(oom, "%s.pub", n->ssh_key_path);
	file_add(pn, dst, 0644, src ? src : "", oom);
	free(dst);
	free(src);
	bool creds = false;
	for (size_t i = 0; i < c->nregistries; i++)
		creds |= (c->registries[i].user && *c->registries[i].user) || c->registries[i].ecr;
	if (creds)
		file_add(pn, "/etc/paddock/registry-auth.json", 0600, "cluster.yml", oom);
}

/* --- the public face ------------------------------------------------------- */

static int build(struct plan *p)
{
	struct cluster *c = p->c;
	bool *oom = &p->oom;
	struct plan_build_opts *o = &p->opts;
	o->kernel_flavour = strdup(c->paddock.kernel);
	o->compression = strdup(c->paddock.compression);
	struct sv fm = { 0 };
	for (size_t i = 0; i < c->paddock.formats.n; i++)
		sv_add(&fm, c->paddock.formats.v[i]);
	*oom |= fm.oom;
	o->formats = sv_take(&fm);
	o->http_base = c->paddock.http_base && *c->paddock.http_base ? strdup(c->paddock.http_base) : NULL;
	o->console = strdup(c->paddock.console);
	o->menu_timeout = (int)c->paddock.menu_timeout;
	*oom |= !o->kernel_flavour || !o->compression || !o->formats || !o->console;

	/* etcd membership, in file order */
	size_t len = 1, slen = 1;
	for (size_t i = 0; i < c->nnodes; i++) {
		len += strlen(c->nodes[i].hostname_override) + strlen(c->nodes[i].internal_address) + 24;
		slen += strlen(c->nodes[i].internal_address) + 16;
	}
	p->initial_cluster = calloc(1, len);
	p->etcd_servers = calloc(1, slen);
	if (!p->initial_cluster || !p->etcd_servers)
		return -ENOMEM;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		if (!cfg_has_role(n, "etcd"))
			continue;
		size_t l = strlen(p->initial_cluster), s = strlen(p->etcd_servers);
		snprintf(p->initial_cluster + l, len - l, "%setcd-%s=https://%s:2380", l ? "," : "",
			 n->hostname_override, n->internal_address);
		snprintf(p->etcd_servers + s, slen - s, "%shttps://%s:2379", s ? "," : "",
			 n->internal_address);
	}
	struct sv sv1 = { 0 }, sv2 = { 0 };
	alt_names(c, "etcd", &sv1, true, false);
	alt_names(c, "controlplane", &sv2, true, true);
	*oom |= sv1.oom || sv2.oom;
	p->sans_etcd = sv_take(&sv1);
	p->sans_api = sv_take(&sv2);
	size_t cplen = 1;
	for (size_t i = 0; i < c->nnodes; i++)
		cplen += strlen(c->nodes[i].internal_address) + 1;
	p->cp_hosts = calloc(1, cplen);
	if (!p->sans_etcd || !p->sans_api || !p->cp_hosts)
		return -ENOMEM;
	for (size_t i = 0, w = 0; i < c->nnodes; i++)
		if (cfg_has_role(&c->nodes[i], "controlplane"))
			w += (size_t)snprintf(p->cp_hosts + w, cplen - w, "%s%s", w ? "," : "",
					      c->nodes[i].internal_address);
	if (c->services.etcd.uid && c->services.etcd.gid)
		p->etcd_user = xasprintf(oom, "%lld:%lld", c->services.etcd.uid, c->services.etcd.gid);

	p->nodes = calloc(c->nnodes ? c->nnodes : 1, sizeof(*p->nodes));
	if (!p->nodes)
		return -ENOMEM;
	for (size_t i = 0; i < c->nnodes && !*oom; i++) {
		const struct cfg_node *n = &c->nodes[i];
		struct pnode *pn = &p->nodes[p->n++];
		struct plan_node *pub = &pn->pub;
		pub->name = strdup(n->hostname_override);
		pub->address = strdup(n->address);
		pub->internal_address = strdup(n->internal_address);
		pub->roles = (cfg_has_role(n, "etcd") ? PLAN_ROLE_ETCD : 0) |
			     (cfg_has_role(n, "controlplane") ? PLAN_ROLE_CONTROLPLANE : 0) |
			     (cfg_has_role(n, "worker") ? PLAN_ROLE_WORKER : 0);
		pub->mac = n->boot.mac ? strdup(n->boot.mac) : NULL;
		pub->dhcp = strcmp(n->boot.net_mode, "static") != 0;
		if (!pub->dhcp) {
			pub->net_address = strdup(n->boot.net_address);
			pub->net_gateway = n->boot.net_gateway ? strdup(n->boot.net_gateway) : NULL;
		}
		struct sv dns = { 0 };
		for (size_t j = 0; j < n->boot.dns.n; j++)
			sv_add(&dns, n->boot.dns.v[j]);
		*oom |= dns.oom;
		pub->dns = sv_take(&dns);
		pub->state_disk = n->boot.state_disk ? strdup(n->boot.state_disk) : NULL;
		pub->kernel_args = n->boot.kernel_args ? strdup(n->boot.kernel_args) : NULL;
		pub->debug_shell = n->boot.debug_shell == CFG_TRUE;
		if (!pub->name || !pub->address || !pub->internal_address || !pub->dns)
			*oom = true;
		plan_node_files_common(p, pn, n);
		if (pub->roles & PLAN_ROLE_ETCD)
			plan_etcd(p, pn, n);
		if (pub->roles & PLAN_ROLE_CONTROLPLANE)
			plan_controlplane(p, pn, n);
		plan_worker_common(p, pn, n);
	}
	return *oom ? -ENOMEM : 0;
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
	if (r)
		return perr_set(err, -ENOMEM, "cannot build node config for %s", n->name);
	return 0;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct pnode *pn = &p->nodes[i];
		struct plan_node *n = &pn->pub;
		free(n->name);
		free(n->address);
		free(n->internal_address);
		free(n->mac);
		free(n->net_address);
		free(n->net_gateway);
		strv_free(n->dns);
		free(n->state_disk);
		free(n->kernel_args);
		for (size_t j = 0; j < pn->nct; j++) {
			free(pn->ct[j].name);
			free(pn->ct[j].image);
			free(pn->ct[j].user);
			strv_free(pn->ct[j].args);
			strv_free(pn->ct[j].binds);
			strv_free(pn->ct[j].env);
		}
		free(pn->ct);
		for (size_t j = 0; j < pn->ncerts; j++) {
			free(pn->certs[j].name);
			free(pn->certs[j].common_name);
			if (pn->certs[j].sans != p->sans_etcd && pn->certs[j].sans != p->sans_api)
				strv_free(pn->certs[j].sans);
		}
		free(pn->certs);
		for (size_t j = 0; j < pn->nfiles; j++) {
			free(pn->files[j].path);
			free(pn->files[j].source);
		}
		free(pn->files);
	}
	free(p->nodes);
	free(p->opts.kernel_flavour);
	free(p->opts.compression);
	strv_free(p->opts.formats);
	free(p->opts.http_base);
	free(p->opts.console);
	free(p->initial_cluster);
	free(p->etcd_servers);
	free(p->etcd_user);
	strv_free(p->sans_etcd);
	strv_free(p->sans_api);
	free(p->cp_hosts);
	config_free(p->c);
	free(p);
}
