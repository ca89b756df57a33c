/* k8s_metadata: RKE's data.json (the version data, KDM, that Rancher
 * publishes for RKE: K8sVersionRKESystemImages, K8sVersionServiceOptions,
 * K8sVersionInfo, RKEDefaultK8sVersions, ...) read at run time, so a newer
 * Kubernetes needs no new paddock.  It is read the way RKE reads it and
 * tools/gen-k8s-versions reads rke-kdm.json: the same versions are kept,
 * the same images and default flags, and keys RKE's data carries that
 * paddock does not use (Windows, templates, K3s, RKE2, ...) are ignored. */
#ifndef PADDOCK_K8S_METADATA_H
#define PADDOCK_K8S_METADATA_H

#include "perr.h"

/* Upper bound on the file's size: RKE's own data.json is a few MiB. */
#define K8S_METADATA_MAX_BYTES (64u << 20)

/* Reads path and, when it is a valid data.json, makes it the table
 * config/k8s_versions.h reads until k8s_metadata_unload (the one paddock
 * carries stays in use on failure).  On failure *err names the file and
 * the key at fault. */
int k8s_metadata_load(const char *path, struct perr *err);

/* Puts the table paddock carries back in use and frees the loaded one. */
void k8s_metadata_unload(void);

#endif
