/* sysctl: the kernel hardening settings init applies at boot. */
#ifndef PADDOCK_INIT_SYSCTL_H
#define PADDOCK_INIT_SYSCTL_H

#include <stddef.h>

#include "perr.h"
#include "strv.h"

/* The built-in hardening list, "key=value" each (dotted keys, e.g.
 * "kernel.kptr_restrict=2"), NULL-terminated.  Whole strings, so that
 * `paddock audit` can read both key and value out of /init. */
extern const char *const sysctl_hardening[];

/* Writes each "key=value" under procsys (normally /proc/sys).  Keys the
 * kernel does not have are skipped and added to *missing; any other
 * failure is an error naming the key, after trying all. */
int sysctl_apply(const char *procsys, const char *const *settings, size_t *ret_applied, struct strv *missing,
		 struct perr *err);

#endif
