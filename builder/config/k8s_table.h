/* k8s_table: the raw form of RKE's Kubernetes version table (KDM): the one
 * tools/gen-k8s-versions writes into k8s_table.c (k8s_embedded), or one
 * k8s_metadata.c reads from an RKE data.json at run time.  Only those and
 * k8s_versions.c read it; everything else goes through config/k8s_versions.h.
 *
 * Every string is an offset into the pool; offset 0 is the empty string,
 * which in an image cell means "this version has no such image". */
#ifndef PADDOCK_K8S_TABLE_H
#define PADDOCK_K8S_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "config/k8s_versions.h"

struct k8s_version {
	uint32_t name;          /* "v1.30.5-rancher1-1" */
	uint32_t last_rke;      /* its minor's maxRKEVersion when older than the release followed */
};

struct k8s_flag {
	uint32_t name;          /* without "--" */
	uint32_t value;         /* empty: drop the flag */
};

struct k8s_options {
	uint32_t key;                           /* "v1.30" or a full version */
	uint32_t first[K8S_NCOMPONENTS];        /* into flags */
	uint8_t count[K8S_NCOMPONENTS];
};

/* One whole table. */
struct k8s_data {
	const char *pool;
	uint32_t default_version;
	size_t nimage_keys;
	const uint32_t *image_keys;             /* RKE's system_images key names */
	const uint32_t *image_json_keys;        /* the same images' names in KDM's JSON */
	size_t nversions;
	const struct k8s_version *versions;     /* in version order */
	const uint32_t *images;                 /* nversions x nimage_keys */
	const struct k8s_flag *flags;
	size_t noptions;
	const struct k8s_options *options;
	const char *name;                       /* k8s_data_name() */
	const char *file;                       /* NULL for the embedded table */
	const char *sha256;                     /* of the JSON it was made from */
};

/* The table paddock carries (k8s_table.c). */
extern const struct k8s_data k8s_embedded;
/* The RKE release whose rules for dropping versions the tables follow. */
extern const char k8s_rke_release_name[];

/* The table the lookups of k8s_versions.h read: d, or the embedded one
 * again for NULL.  d must outlive its use. */
void k8s_data_use(const struct k8s_data *d);

#endif
