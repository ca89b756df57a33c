/* kube_admission: the API server's admission configuration
 * (/etc/kubernetes/admission.yaml), as RKE makes it
 * (cluster/defaults.go, getConsolidatedAdmissionConfiguration): the
 * cluster file's admission_configuration, plus RKE's EventRateLimit
 * plugin when event_rate_limit is enabled and RKE's PodSecurity plugin for
 * pod_security_configuration, each unless the file's own plugins name it. */
#ifndef PADDOCK_KUBE_ADMISSION_H
#define PADDOCK_KUBE_ADMISSION_H

#include <stddef.h>

#include "config/config.h"
#include "perr.h"

/* The YAML of c's AdmissionConfiguration in *out (heap, *len bytes). */
int kube_admission_yaml(const struct cluster *c, char **out, size_t *len, struct perr *err);

#endif
