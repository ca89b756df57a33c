/* k8s_version: Kubernetes versions as cluster.yml writes them. */
#ifndef PADDOCK_K8S_VERSION_H
#define PADDOCK_K8S_VERSION_H

#include <stdbool.h>

/* Parses "v1.27.16-rancher1-1" (a 'v' and semver), as RKE requires.  On
 * failure the numbers read before the fault are set already: callers that
 * preset defaults and ignore the result rely on it. */
bool cfg_k8s_version(const char *v, int *maj, int *min, int *patch);

#endif
