/* removed_flags: extra_args flags a Kubernetes component no longer has in
 * the cluster's version.  The component refuses an unknown flag and does
 * not start, so such a flag is worth a warning naming the release that
 * removed it. */
#ifndef PADDOCK_REMOVED_FLAGS_H
#define PADDOCK_REMOVED_FLAGS_H

#include "config/validate_report.h"

/* The release (minor of 1.x) that removed flag from service ("kubelet",
 * "kube-api", "kube-controller", "scheduler", "kubeproxy") at or before
 * minor, else 0. */
int removed_flag_minor(const char *service, const char *flag, int minor);

/* A warning per such flag in services.*.extra_args and extra_args_array. */
void removed_flag_warnings(struct vctx *v);

#endif
