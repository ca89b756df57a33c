/* plan_worker: what every node runs to be a Kubernetes node (kubelet,
 * kube-proxy, the API proxy, the sidecar), its certificates and
 * kubeconfigs, as RKE's cluster/plan.go builds them. */
#include <stdio.h>
#include <stdlib.h>

#include "plan/plan_model.h"

/* the flags the kubelet gets whatever the cluster, before RKE's defaults
 * (protect-kernel-defaults is paddock's own, not RKE's) */
static const struct flag kubelet_flags[] = {
	{ "kubeconfig", SSL_DIR "/kubecfg-kube-node.yaml" },
	{ "client-ca-file", SSL_DIR "/kube-ca.pem" },
	{ "protect-kernel-defaults", "true" },
	{ "root-dir", "/var/lib/kubelet" },
};

static void plan_kubelet(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	const struct cfg_kubelet *k = &c->services.kubelet;
	struct ct_draft d = { 0 };
	struct flags *f = &d.flags;
	FLAGS_SET_TABLE(f, kubelet_flags);
	flags_set(f, "hostname-override", n->hostname_override);
	flags_set(f, "cluster-domain", k->cluster_domain);
	flags_set(f, "cluster-dns", k->cluster_dns_server);
	if (k->infra_container_image && *k->infra_container_image) {
		flags_set(f, "pod-infra-container-image", k->infra_container_image);
	} else {
		char *infra = cfg_system_image(c, "pod_infra_container");
		flags_set(f, "pod-infra-container-image", infra ? infra : "");
		p->oom |= !infra;
		free(infra);
	}
	flags_set(f, "fail-swap-on", k->fail_swap_on ? "true" : "false");
	if (plan_is_ip(n->internal_address))
		flags_set(f, "node-ip", n->internal_address);
	if (k->generate_serving_certificate) {
		char *stem = plan_host_stem(p, "kube-kubelet", n->internal_address);
		flags_setf(f, "tls-cert-file", SSL_DIR "/%s.pem", stem ? stem : "");
		flags_setf(f, "tls-private-key-file", SSL_DIR "/%s-key.pem", stem ? stem : "");
		free(stem);
	}
	flags_cloud_provider(f, c);
	flags_table_defaults(p, f, K8S_KUBELET);
	if (p->cri_dockerd) {
		/* --container-runtime went away in 1.27 */
		if (c->k8s_rules.container_runtime_flag)
			flags_set(f, "container-runtime", "remote");
		flags_set(f, "container-runtime-endpoint", "unix:///var/run/cri-dockerd.sock");
	}

	const char *pre = plan_prefix(c);
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, pre);
	strv_add(&d.binds, "/etc/cni:/etc/cni:rw,z");
	strv_add(&d.binds, "/opt/cni:/opt/cni:rw,z");
	strv_addf(&d.binds, "%s/var/lib/cni:/var/lib/cni:z", pre);
	strv_add(&d.binds, "/var/lib/calico:/var/lib/calico:z");
	strv_add(&d.binds, "/etc/resolv.conf:/etc/resolv.conf");
	strv_add(&d.binds, "/sys:/sys:rprivate");
	strv_addf(&d.binds, "%s/var/lib/docker:/var/lib/docker:rw,rslave,z", pre);
	strv_addf(&d.binds, "%s/var/lib/kubelet:/var/lib/kubelet:shared,z", pre);
	strv_add(&d.binds, "/var/run:/var/run:rw,rprivate");
	strv_add(&d.binds, "/run:/run:rprivate");
	strv_add(&d.binds, "/dev:/host/dev:rprivate");
	strv_add(&d.binds, "/var/log/containers:/var/log/containers:z");
	strv_add(&d.binds, "/var/log/pods:/var/log/pods:z");
	if (p->cri_dockerd)
		strv_addf(&d.binds, "%s/var/lib/cri-dockerd:/var/lib/cri-dockerd:z", pre);
	if (c->cri_dockerd_stream_server_address && *c->cri_dockerd_stream_server_address)
		strv_addf(&d.env, "RKE_KUBELET_CRIDOCKERD_STREAM_ADDRESS=%s",
			  c->cri_dockerd_stream_server_address);
	if (c->cri_dockerd_stream_server_port && *c->cri_dockerd_stream_server_port)
		strv_addf(&d.env, "RKE_KUBELET_CRIDOCKERD_STREAM_PORT=%s", c->cri_dockerd_stream_server_port);
	pn_container(p, pn, "kubelet", "kubernetes", &k->base, &d);
}

static void plan_kube_proxy(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	struct ct_draft d = { 0 };
	flags_set(&d.flags, "kubeconfig", SSL_DIR "/kubecfg-kube-proxy.yaml");
	flags_set(&d.flags, "cluster-cidr", c->services.kube_controller.cluster_cidr);
	flags_set(&d.flags, "hostname-override", n->hostname_override);
	flags_table_defaults(p, &d.flags, K8S_KUBEPROXY);
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(c));
	strv_add(&d.binds, "/run:/run");
	strv_add(&d.binds, "/lib/modules:/lib/modules:z,ro");
	pn_container(p, pn, "kube-proxy", "kubernetes", &c->services.kubeproxy, &d);
}

/* The kubelet's serving certificate names the node only. */
static void plan_kubelet_cert(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	char *stem = plan_host_stem(p, "kube-kubelet", n->internal_address);
	if (!stem)
		return;
	struct strv sans = STRV_INIT;
	const char *names[] = { n->hostname_override, n->address, n->internal_address };
	for (int i = 0; i < 3; i++)
		if (names[i] && !strv_contains(&sans, names[i]))
			strv_add(&sans, names[i]);
	pn_cert(p, pn, stem, "kube-kubelet", &sans);
	free(stem);
}

void plan_worker(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	plan_kubelet(p, pn, n);
	plan_kube_proxy(p, pn, n);
	/* nodes without the control plane reach the API through a local proxy */
	if (!cfg_has_role(n, "controlplane")) {
		struct ct_draft d = { 0 };
		strv_add(&d.args, "nginx-proxy");
		strv_addf(&d.env, "CP_HOSTS=%s", p->cp_hosts);
		pn_container(p, pn, "nginx-proxy", "nginx_proxy", NULL, &d);
	}
	struct ct_draft sidekick = { 0 };
	pn_container(p, pn, "service-sidekick", "kubernetes_services_sidecar", NULL, &sidekick);

	/* each kubelet its own identity, system:node:NAME in system:nodes (the
	 * name it registers with), so that the Node authorizer and the
	 * NodeRestriction admission plugin the API server runs confine it to its
	 * own Node and pods; RKE's one "system:node" shared by every kubelet
	 * passes neither check and lets any node edit any other */
	char *node_cn = NULL;
	if (asprintf(&node_cn, "system:node:%s", n->hostname_override) < 0)
		node_cn = NULL;
	pn_cert(p, pn, "kube-node", node_cn ? node_cn : "system:node", NULL);
	free(node_cn);
	pn_cert(p, pn, "kube-proxy", "system:kube-proxy", NULL);
	if (p->c->services.kubelet.generate_serving_certificate)
		plan_kubelet_cert(p, pn, n);
	pn_file(p, pn, SSL_DIR "/kubecfg-kube-node.yaml", 0600, "generated");
	pn_file(p, pn, SSL_DIR "/kubecfg-kube-proxy.yaml", 0600, "generated");
}
