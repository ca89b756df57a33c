/* plan_images: every image a cluster's nodes run or pull, once each, and
 * where each comes from (`paddock images`, as `rke config --system-images`
 * is used: the list to mirror into a private registry before an air-gapped
 * install). */
#ifndef PADDOCK_PLAN_IMAGES_H
#define PADDOCK_PLAN_IMAGES_H

#include <stddef.h>

#include "perr.h"
#include "plan/plan.h"

struct plan_image {
	char *image;
	const char *source;     /* "bundled" (in the image) or "registry" (pulled) */
	char *registry;         /* host[:port] it is pulled from ("docker.io" when the name
				 * names none); NULL when bundled */
	char **uses;            /* NULL-terminated, in plan order: container names,
				 * "pod sandbox" (the kubelet's pause image), "add-on <key>" */
	char **nodes;           /* NULL-terminated node names, in node order */
};

/* The images of p, in the order first met: each node's containers, then
 * the kubelet's pod sandbox, then the add-ons' (network plugin, DNS,
 * metrics server, ingress), which the kubelets pull once the add-ons are
 * deployed.  The os-services' images (syslog, ntp, sshd, docker) are built
 * into every image and not listed. */
int plan_images(const struct plan *p, struct plan_image **ret, size_t *ret_n, struct perr *err);
void plan_images_free(struct plan_image *v, size_t n);

/* The registry an image name is pulled from, as Docker reads the name: its
 * first component when that has a '.' or ':' or is "localhost", else
 * "docker.io".  A new heap string; NULL when out of memory. */
char *plan_image_registry(const char *image);

#endif
