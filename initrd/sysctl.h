/* sysctl: the kernel hardening settings init applies at boot. */
#ifndef PADDOCK_INIT_SYSCTL_H
#define PADDOCK_INIT_SYSCTL_H

#include <stddef.h>

#include "perr.h"

struct sysctl_setting {
	const char *key;    /* dotted, e.g. "kernel.kptr_restrict" */
	const char *value;
};

/* The built-in hardening list, NULL-key terminated. */
extern const struct sysctl_setting sysctl_hardening[];

/* Writes each setting under procsys (normally /proc/sys).  Keys the kernel
 * does not have are skipped and counted in *ret_skipped; any other failure
 * is an error naming the key, after trying all. */
int sysctl_apply(const char *procsys, const struct sysctl_setting *s, size_t *ret_applied,
		 size_t *ret_skipped, struct perr *err);

#endif
