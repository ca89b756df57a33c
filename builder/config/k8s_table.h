/* k8s_table: the raw form of RKE's Kubernetes version table (KDM) as
 * tools/gen-k8s-versions writes it into k8s_table.c.  Only k8s_versions.c
 * reads it; everything else goes through config/k8s_versions.h.
 *
 * Every string is an offset into k8s_pool; offset 0 is the empty string,
 * which in an image cell means "this version has no such image". */
#ifndef PADDOCK_K8S_TABLE_H
#define PADDOCK_K8S_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "config/k8s_versions.h"

struct k8s_version {
	uint16_t name;          /* "v1.30.5-rancher1-1" */
	uint16_t last_rke;      /* its minor's maxRKEVersion when older than the release followed */
};

struct k8s_flag {
	uint16_t name;          /* without "--" */
	uint16_t value;         /* empty: drop the flag */
};

struct k8s_options {
	uint16_t key;                           /* "v1.30" or a full version */
	uint16_t first[K8S_NCOMPONENTS];        /* into k8s_flags */
	uint8_t count[K8S_NCOMPONENTS];
};

extern const char k8s_pool[];
extern const char k8s_rke_release_name[];
extern const uint16_t k8s_default;

extern const size_t k8s_nimage_keys;
extern const uint16_t k8s_image_keys[];         /* RKE's system_images key names */

extern const size_t k8s_nversions;
extern const struct k8s_version k8s_versions[]; /* in version order */
extern const uint16_t k8s_images[];             /* k8s_nversions x k8s_nimage_keys */

extern const struct k8s_flag k8s_flags[];
extern const size_t k8s_noptions;
extern const struct k8s_options k8s_options[];

#endif
