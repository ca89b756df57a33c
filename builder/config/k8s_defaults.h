/* k8s_defaults: what paddock runs where cluster.yml does not say: the
 * Kubernetes version, and the image for each system_images key.  RKE takes
 * these from its KDM data, per Kubernetes version; paddock has one image
 * set today, the default version's, and this face is the one a table
 * generated from KDM would keep. */
#ifndef PADDOCK_K8S_DEFAULTS_H
#define PADDOCK_K8S_DEFAULTS_H

/* The version paddock builds when kubernetes_version is not set. */
const char *k8s_fallback_version(void);

/* The default image for a system_images key at version (a new heap
 * string); NULL for a key paddock has no image for, or no memory. */
char *k8s_default_image(const char *version, const char *key);

#endif
