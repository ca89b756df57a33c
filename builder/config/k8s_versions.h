/* k8s_versions: RKE's Kubernetes version table (KDM) — which versions RKE
 * knows, the system images each one runs and the default flags RKE gives
 * each component.  The data is generated (tools/gen-k8s-versions,
 * builder/config/k8s_table.c); this is the only way to read it.
 *
 * Returned strings point into the table and live as long as the program. */
#ifndef PADDOCK_K8S_VERSIONS_H
#define PADDOCK_K8S_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>

/* The components RKE gives default flags, named by their services.<key>. */
enum k8s_component {
	K8S_ETCD,               /* etcd */
	K8S_KUBE_API,           /* kube-api */
	K8S_KUBE_CONTROLLER,    /* kube-controller */
	K8S_SCHEDULER,          /* scheduler */
	K8S_KUBELET,            /* kubelet */
	K8S_KUBEPROXY,          /* kubeproxy */
	K8S_NCOMPONENTS
};

struct k8s_version;     /* one Kubernetes version RKE knows */
struct k8s_options;     /* one set of default flags */

/* The version RKE uses when kubernetes_version is empty. */
const char *k8s_default_version(void);

/* The RKE release whose view of the version info the table takes ("v1.8.0"). */
const char *k8s_rke_release(void);

/* The version named exactly so ("v1.30.5-rancher1-1"), or NULL when RKE
 * does not know it. */
const struct k8s_version *k8s_version_find(const char *version);

const char *k8s_version_name(const struct k8s_version *v);

/* The last RKE release that still listed v's minor as current (its
 * maxRKEVersion, e.g. "1.3.99") when the release followed no longer does;
 * NULL while it does.  RKE still accepts such a version (it keeps them for
 * upgrades) but no longer offers it. */
const char *k8s_version_last_rke(const struct k8s_version *v);

/* The newest version of the same minor as version ("v1.30" of
 * "v1.30.9-rancher1-1", known or not), or NULL when RKE knows none. */
const struct k8s_version *k8s_version_newest_of_minor(const char *version);

/* Whether key is a system_images key the table carries ("etcd", "nginx_proxy"…). */
bool k8s_image_key_known(const char *key);

/* The image RKE runs for system_images.<key> on v, without any registry
 * prefix; NULL when v has none (weave_node from v1.30) or the key is not
 * carried. */
const char *k8s_image(const struct k8s_version *v, const char *key);

/* The default flags RKE picks for a cluster on version: the set named
 * exactly by version, else the set of its minor — where the tag of
 * kubernetes_image (system_images.kubernetes; may be NULL) names another
 * minor, that minor wins, as in RKE's getDefaultKubernetesServicesOptions.
 * NULL when there is none. */
const struct k8s_options *k8s_options_find(const char *version, const char *kubernetes_image);

/* The key the set is filed under ("v1.30", or a full version). */
const char *k8s_options_key(const struct k8s_options *o);

/* Number of default flags of component c in o (0 for a bad c). */
size_t k8s_flag_count(const struct k8s_options *o, enum k8s_component c);

/* The i-th default flag of component c, sorted by name; *ret_name has no
 * "--".  An empty *ret_value means RKE drops that flag from the ones it
 * computes.  -EINVAL for a bad c, -ENOENT past the end. */
int k8s_flag_at(const struct k8s_options *o, enum k8s_component c, size_t i,
		const char **ret_name, const char **ret_value);

/* The default value of flag name of component c, or NULL when o sets none. */
const char *k8s_flag_get(const struct k8s_options *o, enum k8s_component c, const char *name);

#endif
