/* k8s_version: Kubernetes versions as cluster.yml writes them, and RKE's
 * defaults that follow from one (cluster/defaults.go). */
#ifndef PADDOCK_K8S_VERSION_H
#define PADDOCK_K8S_VERSION_H

#include <stdbool.h>

/* Parses "v1.27.16-rancher1-1" (a 'v' and semver), as RKE requires.  On
 * failure the numbers read before the fault are set already: callers that
 * preset defaults and ignore the result rely on it. */
bool cfg_k8s_version(const char *v, int *maj, int *min, int *patch);

struct k8s_version_defaults {
	bool audit_log;                     /* services.kube-api.audit_log enabled */
	bool pod_security;                  /* pod_security_configuration: privileged */
	const char *ingress_network_mode;   /* hostPort, or hostNetwork before 1.21 */
	const char *dns_provider;           /* coredns, or kube-dns before 1.14 */
};

/* RKE's defaults for version; one that does not parse counts as 1.99.0
 * from its first fault on (see cfg_k8s_version). */
void k8s_version_defaults(const char *version, struct k8s_version_defaults *out);

#endif
