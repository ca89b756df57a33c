/* modules: kernel modules at boot. */
#ifndef PADDOCK_INIT_MODULES_H
#define PADDOCK_INIT_MODULES_H

#include <stddef.h>

#include "perr.h"

#define MODULES_LIST "/etc/paddock/modules"
#define MODPROBE "/sbin/modprobe"

/* Loads the modules named in listfile (one per line, '#' comments) with
 * one modprobe run; a missing list is not an error.  *ret_n: how many
 * names were asked for. */
int modules_load_list(const char *listfile, size_t *ret_n, struct perr *err);

/* Coldplug: loads the drivers for devices already present: the modalias
 * files under sysfs_root (normally /sys/devices) matched against the
 * patterns of alias_file (modules.alias).  *ret_n: modules asked for. */
int modules_coldplug(const char *sysfs_root, const char *alias_file, size_t *ret_n, struct perr *err);

/* The module names whose alias patterns match any of aliases (NULL-terminated);
 * a NULL-terminated heap array (strv_free). */
int modules_match(const char *alias_file, char *const *aliases, char ***ret, size_t *ret_n,
		  struct perr *err);

/* Collects unique modalias strings below root (exposed for tests):
 * a NULL-terminated heap array of heap strings (strv_free). */
int modules_collect_aliases(const char *root, char ***ret, size_t *ret_n, struct perr *err);

#endif
