/* k8s_version: Kubernetes versions as cluster.yml writes them, and RKE's
 * defaults and rules that follow from one (cluster/defaults.go,
 * cluster/validation.go). */
#ifndef PADDOCK_K8S_VERSION_H
#define PADDOCK_K8S_VERSION_H

#include <stdbool.h>

/* Parses "v1.27.16-rancher1-1" (a 'v' and semver), as RKE requires.  On
 * failure the numbers read before the fault are set already: callers that
 * preset defaults and ignore the result rely on it. */
bool cfg_k8s_version(const char *v, int *maj, int *min, int *patch);

struct k8s_rules {
	bool audit_log;                     /* services.kube-api.audit_log enabled */
	bool pod_security;                  /* PodSecurity admission: 1.23 and later */
	bool cri_dockerd;                   /* no dockershim: the kubelet needs cri-dockerd (1.24) */
	bool cri_dockerd_allowed;           /* enable_cri_dockerd may be true (1.21) */
	bool container_runtime_flag;        /* the kubelet still has --container-runtime (< 1.27) */
	bool ingress_webhook;               /* ingress needs system_images.ingress_webhook (1.21) */
	bool weave_deprecated;              /* RKE warns about weave (1.27) */
	bool weave_removed;                 /* RKE refuses weave (1.30) */
	bool aws_in_tree_removed;           /* cloud_provider aws is gone (1.27) */
	bool apiserver_count;               /* v1.8 only: RKE passes --apiserver-count */
	const char *ingress_network_mode;   /* hostPort, or hostNetwork before 1.21 */
	const char *dns_provider;           /* coredns, or kube-dns before 1.14 */
};

/* RKE's defaults and rules for version; one that does not parse counts as
 * 1.99.0 from its first fault on (see cfg_k8s_version). */
void k8s_rules_for(const char *version, struct k8s_rules *out);

#endif
