/* validate_version: RKE's rules that follow from kubernetes_version: the
 * version itself, the images it leaves to the file, and what each
 * Kubernetes release removed (dockershim, in-tree aws, PodSecurityPolicy,
 * weave).  The checks return 0 or fail (-EINVAL) on the first fault, with
 * RKE's wording; the warnings only add diagnostics. */
#ifndef PADDOCK_VALIDATE_VERSION_H
#define PADDOCK_VALIDATE_VERSION_H

#include "config/validate_report.h"

int rke_check_version(struct vctx *v);          /* setClusterDefaults (setCRIDockerd) */
int rke_check_cloud_provider(struct vctx *v);   /* setCloudProvider */
int rke_check_known_version(struct vctx *v);    /* validateVersion */
int rke_check_cri_and_psa(struct vctx *v);      /* validateCRIDockerdOption, validatePodSecurity */

/* A version RKE no longer offers or does not know, system_images.kubernetes
 * of another version, cri-dockerd turned off where it is needed. */
void version_warnings(struct vctx *v);

#endif
