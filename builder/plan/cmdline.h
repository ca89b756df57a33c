/* cmdline: the kernel command line each node boots with. */
#ifndef PADDOCK_CMDLINE_H
#define PADDOCK_CMDLINE_H

#include <stddef.h>

#include "plan/plan.h"

/* Returns a new heap string for node i: "console=tty0
 * console=<console>,115200 paddock.node=<name>" followed by the node's
 * kernel_args when set.  The serial console comes from the plan's build
 * options (ttyS0 when unset).  NULL on allocation failure or a bad index. */
char *cmdline_for_node(const struct plan *p, size_t i);

/* The same from explicit parts (kernel_args may be NULL or empty). */
char *cmdline_format(const char *console, const char *node_name, const char *kernel_args);

#endif
