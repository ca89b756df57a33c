/* system_images: the image each system_images key runs, and the keys a
 * cluster runs images for.
 *
 * An image is the file's system_images.<key> when set; else RKE's for
 * kubernetes_version (config/k8s_versions.h), rewritten to the first
 * is_default private registry last, as RKE's setClusterImageDefaults does
 * (only images taken from the table get the registry).  The keys a
 * cluster needs, and RKE's name for each, are those RKE's
 * validateSystemImages asks for, in its order. */
#ifndef PADDOCK_SYSTEM_IMAGES_H
#define PADDOCK_SYSTEM_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct cfg_image_need {
	const char *key;        /* system_images.<key> */
	const char *what;       /* RKE: "<what> is not populated" */
};

#define CFG_MAX_IMAGE_NEEDS 24

/* Fills out with the keys c runs images for (etcd, kubernetes, ... then
 * its network plugin's, DNS, metrics server and ingress); returns how many. */
size_t cfg_images_needed(const struct cluster *c, struct cfg_image_need out[CFG_MAX_IMAGE_NEEDS]);

/* paddock's etcd, built from Debian's etcd-server into the base image
 * (provisioner/images/etcd.list), loaded on etcd nodes: not a rancher/coreos
 * build. */
#define PADDOCK_ETCD_IMAGE "paddock/etcd:3.4.23-debian"

/* Whether etcd runs the bundled image: paddock.etcd_image, else bundled
 * unless the file sets system_images.etcd. */
bool cfg_etcd_bundled(const struct cluster *c);

/* The image for key as a new heap string (etcd: the bundled one when
 * cfg_etcd_bundled); NULL when neither the file nor
 * the table has one, or out of memory. */
char *cfg_system_image(const struct cluster *c, const char *key);

/* The image the file gives for key, or NULL when it leaves it to the table. */
const char *cfg_image_given(const struct cluster *c, const char *key);

#endif
