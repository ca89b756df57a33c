/* validate_strict: where paddock is stricter than RKE.  The checks return 0
 * or fail (-EINVAL) on the first fault; the warnings only add diagnostics. */
#ifndef PADDOCK_VALIDATE_STRICT_H
#define PADDOCK_VALIDATE_STRICT_H

#include "config/validate_report.h"

/* Numbers that cannot work, lists that would bloat every node's plan. */
int strict_check_ranges(struct vctx *v);
/* Too many etcd members (an error), and counts that work badly. */
int strict_check_etcd_size(struct vctx *v);
/* Windows key paths: in RKE these fail only when it connects. */
int strict_check_ssh_paths(struct vctx *v);
/* What RKE silently accepts or overrides. */
void strict_warnings(struct vctx *v);

#endif
