/* system_images: images per system_images key (system_images.h). */
#include "config/system_images.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/k8s_versions.h"

/* validateKubernetesImages */
static const struct cfg_image_need core[] = {
	{ "etcd", "etcd image" },
	{ "kubernetes", "kubernetes image" },
	{ "pod_infra_container", "pod infrastructure container image" },
	{ "alpine", "alpine image" },
	{ "nginx_proxy", "nginx proxy image" },
	{ "cert_downloader", "certificate downloader image" },
	{ "kubernetes_services_sidecar", "kubernetes sidecar image" },
};

/* validateNetworkImages, per plugin */
static const struct {
	const char *plugin;
	struct cfg_image_need img[6];
} network[] = {
	{ "flannel", { { "flannel", "flannel image" }, { "flannel_cni", "flannel cni image" } } },
	{ "canal", { { "canal_node", "canal image" }, { "canal_cni", "canal cni image" },
		     { "canal_flannel", "flannel image" } } },
	{ "calico", { { "calico_cni", "calico cni image" }, { "calico_ctl", "calico ctl image" },
		      { "calico_node", "calico image" },
		      { "calico_controllers", "calico controllers image" } } },
	{ "weave", { { "weave_cni", "weave cni image" }, { "weave_node", "weave image" } } },
	{ "aci", { { "aci_cni_deploy_container", "aci cnideploy image" },
		   { "aci_host_container", "aci host container image" },
		   { "aci_opflex_container", "aci opflex agent image" },
		   { "aci_mcast_container", "aci mcast container image" },
		   { "aci_ovs_container", "aci openvswitch image" },
		   { "aci_controller_container", "aci controller image" } } },
};

/* validateDNSImages, per provider */
static const struct {
	const char *provider;
	struct cfg_image_need img[4];
} dns[] = {
	{ "kube-dns", { { "kubedns", "kubedns image" }, { "dnsmasq", "dnsmasq image" },
			{ "kubedns_sidecar", "kubedns sidecar image" },
			{ "kubedns_autoscaler", "kubedns autoscaler image" } } },
	{ "coredns", { { "coredns", "coredns image" },
		       { "coredns_autoscaler", "coredns autoscaler image" } } },
};

#define NELEM(a) (sizeof(a) / sizeof(*(a)))

static size_t add(struct cfg_image_need *out, size_t n, const struct cfg_image_need *v, size_t nv)
{
	for (size_t i = 0; i < nv && v[i].key && n < CFG_MAX_IMAGE_NEEDS; i++)
		out[n++] = v[i];
	return n;
}

size_t cfg_images_needed(const struct cluster *c, struct cfg_image_need out[CFG_MAX_IMAGE_NEEDS])
{
	static const struct cfg_image_need nodelocal = { "nodelocal", "nodelocal image" };
	/* RKE's message says "images" here */
	static const struct cfg_image_need metrics = { "metrics_server", "metrics server images" };
	static const struct cfg_image_need ingress[] = {
		{ "ingress", "ingress image" },
		{ "ingress_backend", "ingress backend image" },
		{ "ingress_webhook", "ingress webhook image" },
	};
	size_t n = add(out, 0, core, NELEM(core));
	for (size_t i = 0; i < NELEM(network); i++)
		if (!strcmp(c->network.plugin, network[i].plugin))
			n = add(out, n, network[i].img, NELEM(network[i].img));
	for (size_t i = 0; i < NELEM(dns); i++)
		if (!strcmp(c->dns.provider, dns[i].provider))
			n = add(out, n, dns[i].img, NELEM(dns[i].img));
	if (c->dns.nodelocal)
		n = add(out, n, &nodelocal, 1);
	if (strcmp(c->monitoring.provider, "none"))
		n = add(out, n, &metrics, 1);
	if (strcmp(c->ingress.provider, "none"))
		n = add(out, n, ingress, c->k8s_rules.ingress_webhook ? 3 : 2);
	return n;
}

const char *cfg_image_given(const struct cluster *c, const char *key)
{
	const char *v = cfg_kv_get(&c->system_images, key);
	return v && *v ? v : NULL;
}

/* The registry RKE puts before images from its table: the first
 * is_default one's url as written ("" when the file leaves it empty). */
static const char *default_registry(const struct cluster *c)
{
	for (size_t i = 0; i < c->nregistries; i++)
		if (c->registries[i].is_default)
			return c->registries[i].url_given ? c->registries[i].url : "";
	return "";
}

bool cfg_etcd_bundled(const struct cluster *c)
{
	if (c->paddock.etcd_image)
		return !strcmp(c->paddock.etcd_image, "bundled");
	return !cfg_image_given(c, "etcd");
}

char *cfg_system_image(const struct cluster *c, const char *key)
{
	if (!strcmp(key, "etcd") && cfg_etcd_bundled(c))
		return strdup(PADDOCK_ETCD_IMAGE);
	const char *given = cfg_image_given(c, key);
	if (given)
		return strdup(given);
	const char *img = k8s_image(c->k8s, key);
	if (!img)
		return NULL;
	const char *reg = default_registry(c);
	char *out = NULL;
	if (asprintf(&out, "%s%s%s", reg, *reg ? "/" : "", img) < 0)
		return NULL;
	return out;
}
