/* validate_paddock: paddock's own keys.  Each check returns 0 or fails
 * (-EINVAL) on the first fault; MAC addresses are normalised in place. */
#ifndef PADDOCK_VALIDATE_PADDOCK_H
#define PADDOCK_VALIDATE_PADDOCK_H

#include "config/validate_report.h"

/* The top-level `paddock:` block, its defaults and every node's block. */
int paddock_check_keys(struct vctx *v);
/* Two nodes with one MAC or one static address. */
int paddock_check_boot_dups(struct vctx *v);

#endif
