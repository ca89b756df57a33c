/* plan_controlplane: what a control plane node runs (kube-apiserver,
 * kube-controller-manager, kube-scheduler), its certificates and the files
 * they read, as RKE's cluster/plan.go builds them. */
#include <stdlib.h>

#include "plan/plan_model.h"
#include "strbuf.h"

/* Whether the API server reads /etc/kubernetes/admission.yaml. */
static bool admission_config(const struct cfg_kube_api *a)
{
	return a->pod_security_configuration || a->event_rate_limit || a->admission_configuration;
}

static void etcd_flags(struct plan *p, struct flags *f)
{
	const struct cfg_etcd *e = &p->c->services.etcd;
	if (!e->external_urls.n) {
		flags_set(f, "etcd-servers", p->etcd_servers);
		flags_set(f, "etcd-prefix", "/registry");
		return;
	}
	struct strbuf urls = STRBUF_INIT;
	for (size_t i = 0; i < e->external_urls.n; i++)
		sb_printf(&urls, "%s%s", i ? "," : "", e->external_urls.v[i]);
	flags_set(f, "etcd-servers", urls.s ? urls.s : "");
	flags_set(f, "etcd-prefix", e->path);
	p->oom |= urls.err != 0;
	sb_free(&urls);
}

/* the flags RKE gives the API server whatever the cluster */
static const struct flag apiserver_flags[] = {
	{ "etcd-cafile", SSL_DIR "/kube-ca.pem" },
	{ "etcd-certfile", SSL_DIR "/kube-node.pem" },
	{ "etcd-keyfile", SSL_DIR "/kube-node-key.pem" },
	{ "allow-privileged", "true" },
	{ "anonymous-auth", "false" },
	{ "bind-address", "0.0.0.0" },
	{ "secure-port", "6443" },
	{ "client-ca-file", SSL_DIR "/kube-ca.pem" },
	{ "tls-cert-file", SSL_DIR "/kube-apiserver.pem" },
	{ "tls-private-key-file", SSL_DIR "/kube-apiserver-key.pem" },
	{ "kubelet-client-certificate", SSL_DIR "/kube-apiserver.pem" },
	{ "kubelet-client-key", SSL_DIR "/kube-apiserver-key.pem" },
	{ "kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname" },
	{ "service-account-key-file", SSL_DIR "/kube-service-account-token-key.pem" },
	{ "service-account-signing-key-file", SSL_DIR "/kube-service-account-token-key.pem" },
	{ "service-account-issuer", "rke" },
	{ "service-account-lookup", "true" },
	{ "profiling", "false" },
	{ "tls-cipher-suites", TLS_CIPHERS },
	{ "requestheader-client-ca-file", SSL_DIR "/kube-apiserver-requestheader-ca.pem" },
	{ "proxy-client-cert-file", SSL_DIR "/kube-apiserver-proxy-client.pem" },
	{ "proxy-client-key-file", SSL_DIR "/kube-apiserver-proxy-client-key.pem" },
	{ "requestheader-allowed-names", "kube-apiserver-proxy-client" },
	{ "requestheader-extra-headers-prefix", "X-Remote-Extra-" },
	{ "requestheader-group-headers", "X-Remote-Group" },
	{ "requestheader-username-headers", "X-Remote-User" },
};

static void plan_apiserver(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	const struct cfg_kube_api *a = &c->services.kube_api;
	struct ct_draft d = { 0 };
	struct flags *f = &d.flags;
	FLAGS_SET_TABLE(f, apiserver_flags);
	etcd_flags(p, f);
	if (plan_is_ip(n->internal_address))
		flags_set(f, "advertise-address", n->internal_address);
	if (!strcmp(c->authorization.mode, "rbac"))
		flags_set(f, "authorization-mode", "Node,RBAC");
	flags_set(f, "service-cluster-ip-range", a->service_cluster_ip_range);
	flags_set(f, "service-node-port-range", a->service_node_port_range);
	flags_setf(f, "enable-admission-plugins",
		   "NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,"
		   "DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,"
		   "ResourceQuota,NodeRestriction%s%s%s",
		   a->pod_security_configuration ? ",PodSecurity" : "",
		   a->event_rate_limit ? ",EventRateLimit" : "",
		   a->always_pull_images ? ",AlwaysPullImages" : "");
	if (admission_config(a))
		flags_set(f, "admission-control-config-file", "/etc/kubernetes/admission.yaml");
	if (a->audit.enabled) {
		flags_set(f, "audit-log-path", a->audit.path);
		flags_setf(f, "audit-log-maxage", "%lld", a->audit.max_age);
		flags_setf(f, "audit-log-maxbackup", "%lld", a->audit.max_backup);
		flags_setf(f, "audit-log-maxsize", "%lld", a->audit.max_size);
		flags_set(f, "audit-log-format", a->audit.format);
		flags_set(f, "audit-policy-file", "/etc/kubernetes/audit-policy.yaml");
	}
	if (a->secrets_encryption)
		flags_set(f, "encryption-provider-config", SSL_DIR "/encryption.yaml");
	if (strstr(c->authentication.strategy, "webhook")) {
		flags_set(f, "authentication-token-webhook-config-file",
			  "/etc/kubernetes/kube-api-authn-webhook.yaml");
		flags_set(f, "authentication-token-webhook-cache-ttl",
			  c->authentication.webhook_cache_timeout ? c->authentication.webhook_cache_timeout
								  : "5s");
	}
	flags_cloud_provider(f, c);
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(c));
	if (a->audit.enabled)
		strv_addf(&d.binds, "%s/var/log/kube-audit:/var/log/kube-audit:z", plan_prefix(c));
	pn_container(p, pn, "kube-apiserver", "kubernetes", &a->base, &d);
}

/* the flags RKE gives kube-controller-manager whatever the cluster */
static const struct flag controller_manager_flags[] = {
	{ "kubeconfig", SSL_DIR "/kubecfg-kube-controller-manager.yaml" },
	{ "allocate-node-cidrs", "true" },
	{ "root-ca-file", SSL_DIR "/kube-ca.pem" },
	{ "service-account-private-key-file", SSL_DIR "/kube-service-account-token-key.pem" },
	{ "use-service-account-credentials", "true" },
	{ "leader-elect", "true" },
	{ "profiling", "false" },
	{ "terminated-pod-gc-threshold", "1000" },
	{ "node-monitor-grace-period", "40s" },
	{ "configure-cloud-routes", "false" },
	{ "v", "2" },
};

static void plan_controller_manager(struct plan *p, struct pnode *pn)
{
	const struct cluster *c = p->c;
	const struct cfg_kube_controller *kc = &c->services.kube_controller;
	struct ct_draft d = { 0 };
	struct flags *f = &d.flags;
	FLAGS_SET_TABLE(f, controller_manager_flags);
	flags_set(f, "cluster-cidr", kc->cluster_cidr);
	flags_set(f, "service-cluster-ip-range", kc->service_cluster_ip_range);
	flags_cloud_provider(f, c);
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(c));
	pn_container(p, pn, "kube-controller-manager", "kubernetes", &kc->base, &d);
}

/* the flags RKE gives kube-scheduler */
static const struct flag scheduler_flags[] = {
	{ "kubeconfig", SSL_DIR "/kubecfg-kube-scheduler.yaml" },
	{ "leader-elect", "true" },
	{ "profiling", "false" },
	{ "v", "2" },
};

static void plan_scheduler(struct plan *p, struct pnode *pn)
{
	struct ct_draft d = { 0 };
	FLAGS_SET_TABLE(&d.flags, scheduler_flags);
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(p->c));
	pn_container(p, pn, "kube-scheduler", "kubernetes", &p->c->services.scheduler, &d);
}

void plan_controlplane(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cfg_kube_api *a = &p->c->services.kube_api;
	plan_apiserver(p, pn, n);
	plan_controller_manager(p, pn);
	plan_scheduler(p, pn);

	pn_cert_shared(p, pn, "kube-apiserver", "kube-apiserver", p->sans_api);
	pn_cert(p, pn, "kube-controller-manager", "system:kube-controller-manager", NULL);
	pn_cert(p, pn, "kube-scheduler", "system:kube-scheduler", NULL);
	pn_cert(p, pn, "kube-apiserver-proxy-client", "kube-apiserver-proxy-client", NULL);
	pn_file(p, pn, SSL_DIR "/kube-apiserver-requestheader-ca.pem", 0644, "state");
	pn_file(p, pn, SSL_DIR "/kube-service-account-token-key.pem", 0600, "state");
	pn_file(p, pn, SSL_DIR "/kubecfg-kube-controller-manager.yaml", 0600, "generated");
	pn_file(p, pn, SSL_DIR "/kubecfg-kube-scheduler.yaml", 0600, "generated");
	if (a->audit.enabled)
		pn_file(p, pn, "/etc/kubernetes/audit-policy.yaml", 0600,
			a->audit.policy ? "cluster.yml" : "generated");
	if (admission_config(a))
		pn_file(p, pn, "/etc/kubernetes/admission.yaml", 0600, "generated");
	if (a->secrets_encryption)
		pn_file(p, pn, SSL_DIR "/encryption.yaml", 0600,
			a->encryption_custom_config ? "cluster.yml" : "state");
}
