/* etcd_container: the etcd container in System Docker: its image (loaded
 * from ROLE_IMAGES_DIR when missing), its data folder (uid:gid, 0700), the
 * way it starts (a new cluster, or the same member again when its data
 * folder holds data), and its state. */
#ifndef PADDOCK_PROV_ETCD_CONTAINER_H
#define PADDOCK_PROV_ETCD_CONTAINER_H

#include <stdbool.h>

#include "docker_api.h"
#include "etcd_conf.h"
#include "perr.h"

/* Loads the bundled role images when c's image is not in System Docker. */
int etcd_image_ensure(struct docker *d, const char *image, struct perr *err);

/* The data folder: made, given to uid:gid, mode 0700.  *ret_has_data:
 * it holds an etcd member already. */
int etcd_data_prepare(const struct etcd_conf *c, bool *ret_has_data, struct perr *err);

/* Removes an earlier etcd container and creates and starts it again
 * from c (its flags as given). */
int etcd_container_run(struct docker *d, const struct etcd_conf *c, struct perr *err);

/* 1 running, 0 not (*ret_exit set), -ENOENT no such container. */
int etcd_container_running(struct docker *d, int *ret_exit, struct perr *err);

#endif
