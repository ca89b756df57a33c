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

/* the flags RKE gives the API server whatever the cluster, before its defaults */
static const struct flag apiserver_flags[] = {
	{ "etcd-cafile", SSL_DIR "/kube-ca.pem" },
	{ "etcd-certfile", SSL_DIR "/kube-node.pem" },
	{ "etcd-keyfile", SSL_DIR "/kube-node-key.pem" },
	{ "client-ca-file", SSL_DIR "/kube-ca.pem" },
	{ "tls-cert-file", SSL_DIR "/kube-apiserver.pem" },
	{ "tls-private-key-file", SSL_DIR "/kube-apiserver-key.pem" },
	/* its own client certificate towards the kubelets (below) */
	{ "kubelet-client-certificate", SSL_DIR "/kube-apiserver-kubelet-client.pem" },
	{ "kubelet-client-key", SSL_DIR "/kube-apiserver-kubelet-client-key.pem" },
	{ "service-account-key-file", SSL_DIR "/kube-service-account-token-key.pem" },
	{ "requestheader-client-ca-file", SSL_DIR "/kube-apiserver-requestheader-ca.pem" },
	{ "proxy-client-cert-file", SSL_DIR "/kube-apiserver-proxy-client.pem" },
	{ "proxy-client-key-file", SSL_DIR "/kube-apiserver-proxy-client-key.pem" },
	{ "requestheader-allowed-names", "kube-apiserver-proxy-client" },
};

/* RKE appends to whichever admission option its defaults set; without one
 * (no defaults for the version) paddock starts enable-admission-plugins. */
static void admission_plugins(struct flags *f, const struct cfg_kube_api *a)
{
	const char *name = flags_get(f, "enable-admission-plugins") ? "enable-admission-plugins"
			 : flags_get(f, "admission-control") ? "admission-control"
							      : "enable-admission-plugins";
	const char *have = flags_get(f, name);
	const char *add[] = { a->pod_security_configuration ? "PodSecurity" : NULL,
			      a->event_rate_limit ? "EventRateLimit" : NULL,
			      a->always_pull_images ? "AlwaysPullImages" : NULL };
	for (size_t i = 0; i < sizeof(add) / sizeof(*add); i++) {
		if (!add[i])
			continue;
		flags_setf(f, name, "%s%s%s", have ? have : "", have && *have ? "," : "", add[i]);
		have = flags_get(f, name);
	}
}

static void plan_apiserver(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	const struct cfg_kube_api *a = &c->services.kube_api;
	struct ct_draft d = { 0 };
	struct flags *f = &d.flags;
	FLAGS_SET_TABLE(f, apiserver_flags);
	etcd_flags(p, f);
	flags_set(f, "service-cluster-ip-range", a->service_cluster_ip_range);
	flags_set(f, "service-node-port-range", a->service_node_port_range);
	flags_cloud_provider(f, c);
	if (strstr(c->authentication.strategy, "webhook")) {
		flags_set(f, "authentication-token-webhook-config-file", PLAN_AUTHN_WEBHOOK);
		flags_set(f, "authentication-token-webhook-cache-ttl",
			  c->authentication.webhook_cache_timeout ? c->authentication.webhook_cache_timeout
								  : "5s");
	}
	if (a->secrets_encryption)
		flags_set(f, "encryption-provider-config", PLAN_ENCRYPTION_CONFIG);
	if (c->services.kubelet.generate_serving_certificate)
		flags_set(f, "kubelet-certificate-authority", SSL_DIR "/kube-ca.pem");

	flags_table_defaults(p, f, K8S_KUBE_API);

	if (c->k8s_rules.apiserver_count)
		flags_setf(f, "apiserver-count", "%zu", cfg_role_count(c, "controlplane"));
	if (!strcmp(c->authorization.mode, "rbac"))
		flags_set(f, "authorization-mode", "Node,RBAC");
	if (plan_is_ip(n->internal_address))
		flags_set(f, "advertise-address", n->internal_address);
	admission_plugins(f, a);
	if (admission_config(a))
		flags_set(f, "admission-control-config-file", PLAN_ADMISSION_CONFIG);
	if (a->audit.enabled) {
		flags_set(f, "audit-log-path", a->audit.path);
		flags_setf(f, "audit-log-maxage", "%lld", a->audit.max_age);
		flags_setf(f, "audit-log-maxbackup", "%lld", a->audit.max_backup);
		flags_setf(f, "audit-log-maxsize", "%lld", a->audit.max_size);
		flags_set(f, "audit-log-format", a->audit.format);
		flags_set(f, "audit-policy-file", PLAN_AUDIT_POLICY);
	}
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(c));
	if (a->audit.enabled)
		strv_addf(&d.binds, "%s/var/log/kube-audit:/var/log/kube-audit:z", plan_prefix(c));
	pn_container(p, pn, "kube-apiserver", "kubernetes", &a->base, &d);
}

/* the flags RKE gives kube-controller-manager whatever the cluster, before its defaults */
static const struct flag controller_manager_flags[] = {
	{ "kubeconfig", SSL_DIR "/kubecfg-kube-controller-manager.yaml" },
	{ "root-ca-file", SSL_DIR "/kube-ca.pem" },
	{ "service-account-private-key-file", SSL_DIR "/kube-service-account-token-key.pem" },
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
	flags_table_defaults(p, f, K8S_KUBE_CONTROLLER);
	/* paddock's bridge network gives each node its subnet (node.conf's
	 * pod.cidr): the controller's own /24s, handed out in the order nodes
	 * register, would not be the ones the nodes use */
	if (plan_pod_bridge(p))
		flags_set(f, "allocate-node-cidrs", "false");
	/* an argument of its own in RKE, which extra_args cannot change */
	if (!strcmp(c->authorization.mode, "rbac"))
		strv_add(&d.args, "--use-service-account-credentials=true");
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(c));
	pn_container(p, pn, "kube-controller-manager", "kubernetes", &kc->base, &d);
}

static void plan_scheduler(struct plan *p, struct pnode *pn)
{
	struct ct_draft d = { 0 };
	flags_set(&d.flags, "kubeconfig", SSL_DIR "/kubecfg-kube-scheduler.yaml");
	flags_table_defaults(p, &d.flags, K8S_SCHEDULER);
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
	/* The API server's client certificate towards the kubelets (logs, exec,
	 * port-forward), which ask the API server whether it may (Webhook).  RKE
	 * uses the serving certificate, whose user kube-apiserver no role lets
	 * do that, and binds one from the admin's machine after `rke up`; nodes
	 * that form the cluster themselves have no such step, so, as kubeadm's
	 * apiserver-kubelet-client, this one is in system:masters
	 * (builder/pki/issue.c) and serves nothing else. */
	pn_cert(p, pn, "kube-apiserver-kubelet-client", "kube-apiserver-kubelet-client", NULL);
	pn_file(p, pn, SSL_DIR "/kube-apiserver-requestheader-ca.pem", 0644, "state");
	pn_file(p, pn, SSL_DIR "/kube-service-account-token-key.pem", 0600, "state");
	pn_file(p, pn, SSL_DIR "/kubecfg-kube-controller-manager.yaml", 0600, "generated");
	pn_file(p, pn, SSL_DIR "/kubecfg-kube-scheduler.yaml", 0600, "generated");
	/* RKE writes neither file when extra_args point the flag elsewhere */
	if (a->audit.enabled && !cfg_kv_get(&a->base.extra_args, "audit-policy-file"))
		pn_file(p, pn, PLAN_AUDIT_POLICY, 0600, a->audit.policy ? "cluster.yml" : "generated");
	if (admission_config(a) && !cfg_kv_get(&a->base.extra_args, "admission-control-config-file"))
		pn_file(p, pn, PLAN_ADMISSION_CONFIG, 0600, a->admission_configuration ? "cluster.yml" : "generated");
	if (a->secrets_encryption)
		pn_file(p, pn, PLAN_ENCRYPTION_CONFIG, 0600,
			a->encryption_custom_config ? "cluster.yml" : "state");
	if (strstr(p->c->authentication.strategy, "webhook"))
		pn_file(p, pn, PLAN_AUTHN_WEBHOOK, 0600,
			p->c->authentication.webhook_config_file ? "cluster.yml" : "generated");
}
