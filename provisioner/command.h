/* command: the provisioner's external programs (sfdisk, mkfs.ext4,
 * e2fsck), run to their end with their output on the console. */
#ifndef PADDOCK_PROV_COMMAND_H
#define PADDOCK_PROV_COMMAND_H

#include "perr.h"

/* Runs argv with input (NULL: /dev/null) on its stdin, killed after
 * timeout_s seconds.  Returns 0 and *ret_code (its exit status) when it
 * ran to an end, else a negative code with *err set (not found, killed
 * by a signal, timed out). */
int command_run(char *const argv[], const char *input, int timeout_s, int *ret_code, struct perr *err);

#endif
