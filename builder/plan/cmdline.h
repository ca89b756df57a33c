/* cmdline: the kernel command line each node boots with. */
#ifndef PADDOCK_CMDLINE_H
#define PADDOCK_CMDLINE_H

#include <stddef.h>

#include "plan/plan.h"

/* Seconds a node waits after a kernel panic (no /init, say) before it
 * reboots, instead of hanging. */
#define CMDLINE_PANIC_SECONDS 10

/* Returns a new heap string for node i: "console=tty0 console=<console>
 * paddock.node=<name> panic=10" followed by the node's kernel_args when
 * set.  The serial console comes from the plan's build options (ttyS0 when
 * unset) and runs at 115200 baud unless it names its own speed
 * (ttyS1,9600).  kernel_args that set a console= replace paddock's console
 * arguments; kernel_args that set panic= replace paddock's.  NULL on
 * allocation failure or a bad index. */
char *cmdline_for_node(const struct plan *p, size_t i);

/* The same from explicit parts (kernel_args may be NULL or empty). */
char *cmdline_format(const char *console, const char *node_name, const char *kernel_args);

#endif
