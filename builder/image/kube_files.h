/* kube_files: the Kubernetes files the API server's flags name, for a
 * control plane node's layer, at the paths and modes the plan lists
 * (plan/plan.h): the audit policy (the cluster file's
 * audit_log.configuration.policy, else RKE's default: every request at
 * level Metadata), the admission configuration (kube_admission.h) and a
 * secrets_encryption_config.custom_config.  Trees from the cluster file
 * are written again by libyaml (config/yemit.h); the managed encryption
 * configuration is the PKI's (pki.h). */
#ifndef PADDOCK_KUBE_FILES_H
#define PADDOCK_KUBE_FILES_H

#include "image/appliance.h"
#include "perr.h"
#include "plan/plan.h"

/* Adds node i's files to out (owned by root); none for a node without
 * the controlplane role. */
int kube_node_files(const struct plan *p, size_t i, struct appl_files *out, struct perr *err);

#endif
