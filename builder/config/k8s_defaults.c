/* k8s_defaults: the default version and system images (k8s_defaults.h). */
#include "config/k8s_defaults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_VERSION "v1.32.5-rancher1-1"

/* The images of DEFAULT_VERSION. */
static const struct {
	const char *key, *image;
} default_images[] = {
	{ "etcd", "rancher/mirrored-coreos-etcd:v3.5.16" },
	{ "alpine", "rancher/rke-tools:v0.1.111" },
	{ "nginx_proxy", "rancher/rke-tools:v0.1.111" },
	{ "cert_downloader", "rancher/rke-tools:v0.1.111" },
	{ "kubernetes_services_sidecar", "rancher/rke-tools:v0.1.111" },
	{ "pod_infra_container", "rancher/mirrored-pause:3.7" },
	{ "coredns", "rancher/mirrored-coredns-coredns:1.11.3" },
	{ "metrics_server", "rancher/mirrored-metrics-server:v0.7.2" },
	{ "ingress", "rancher/nginx-ingress-controller:v1.11.5-hardened1" },
	{ "canal_node", "rancher/mirrored-calico-node:v3.29.2" },
	{ "canal_cni", "rancher/calico-cni:v3.29.2-rancher1" },
	{ "canal_flannel", "rancher/mirrored-flannel-flannel:v0.26.4" },
};

const char *k8s_fallback_version(void)
{
	return DEFAULT_VERSION;
}

char *k8s_default_image(const char *version, const char *key)
{
	/* the kubernetes image follows the version: rancher/hyperkube:<version
	 * without its last "-N"> */
	if (!strcmp(key, "kubernetes")) {
		const char *dash = strrchr(version, '-');
		size_t n = dash && dash > strchr(version, '-') ? (size_t)(dash - version) : strlen(version);
		char *img = NULL;
		if (asprintf(&img, "rancher/hyperkube:%.*s", (int)n, version) < 0)
			return NULL;
		return img;
	}
	for (size_t i = 0; i < sizeof(default_images) / sizeof(*default_images); i++)
		if (!strcmp(default_images[i].key, key))
			return strdup(default_images[i].image);
	return NULL;
}
