/* validate_registry: paddock's keys for private registries: each
 * registry's CA certificate (private_registries[].paddock.ca_cert, read
 * here and kept in cfg_registry.ca_pem for the build) and the Docker Hub
 * mirrors (paddock.registry_mirrors). */
#ifndef PADDOCK_VALIDATE_REGISTRY_H
#define PADDOCK_VALIDATE_REGISTRY_H

#include "config/validate_report.h"

int registry_check_keys(struct vctx *v);

/* The file a ca_cert names: "~/" is $HOME, a relative path is relative to
 * the directory of the cluster file.  A new heap string, NULL on ENOMEM. */
char *registry_ca_path(const char *cluster_file, const char *ca_cert);

#endif
