/* registry_files: a node's files that come from private_registries and
 * paddock's registry keys, at the paths plan_registry_files() lists:
 *   /etc/paddock/registry-auth.json   System Docker's pull credentials
 *                                     (registry_auth.h), 0600
 *   /var/lib/kubelet/config.json      the kubelet's, as RKE writes them:
 *                                     {"auths": {URL: {"auth": base64(user:password)}}}, 0600
 *   /etc/docker/certs.d/HOST/ca.crt   a registry's CA (paddock.ca_cert),
 *                                     read by System Docker and the user Docker
 *   /etc/docker/daemon.json           the user Docker's registry-mirrors
 * Never insecure-registries. */
#ifndef PADDOCK_REGISTRY_FILES_H
#define PADDOCK_REGISTRY_FILES_H

#include "config/config.h"
#include "image/appliance.h"
#include "perr.h"
#include "plan/plan.h"

/* The documents (new heap strings). */
int registry_auth_json(const struct cluster *c, char **ret, struct perr *err);
int registry_kubelet_config(const struct cluster *c, char **ret, struct perr *err);
int registry_user_daemon_json(const struct cluster *c, char **ret, struct perr *err);

/* Adds node i's registry files to out. */
int registry_node_files(const struct plan *p, size_t i, struct appl_files *out, struct perr *err);

#endif
