/* role_containers: the node's role containers (etcd, kube-apiserver, ...)
 * as svcconf files, /etc/paddock/containers/NN-NAME.conf (lib/svcconf.h).
 *
 * One file per plan container that runs on the node, NN giving the start
 * order (etcd, then the control plane, then the worker's).  Cmd is the
 * component's binary, found on the image's PATH, then the plan's flags.
 * RKE's etcd-rolling-snapshots (the provisioner takes snapshots) and
 * service-sidekick (a volume container RKE never starts) are not written.
 * The provisioner runs `etcd`; paddock-services runs the others.  The
 * build adds them after appliance_node_files. */
#ifndef PADDOCK_ROLE_CONTAINERS_H
#define PADDOCK_ROLE_CONTAINERS_H

#include <stddef.h>

#include "image/appliance.h"
#include "perr.h"
#include "plan/plan.h"
#include "provision.h"

/* the contract with the image (provision.h) */
#define ROLE_CONTAINERS_DIR CONTAINERS_DIR

/* Adds node i's files to out. */
int role_containers(const struct plan *p, size_t i, struct appl_files *out, struct perr *err);

#endif
