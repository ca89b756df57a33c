/* state_disk: "paddock-provisioner state-disk", run once by init before
 * System Docker starts.
 *
 * The disk is node.conf's boot.state_disk, or else the file system
 * labelled PADDOCK_STATE.  A blank disk gets one GPT partition and an
 * ext4 file system labelled PADDOCK_STATE (sfdisk, mkfs.ext4); paddock's
 * own file system is checked (e2fsck -p); anything else is never touched.
 * It is mounted at STATE_MOUNT and its folders bound where System
 * Docker's and the user Docker's data roots, etcd's data, the audit log
 * and the snapshots live.  Without it those folders are made in RAM and
 * the console says that nothing survives a reboot.  Either way the node
 * goes on: the result is one console line and STATE_DISK_STATUS. */
#ifndef PADDOCK_PROV_STATE_DISK_H
#define PADDOCK_PROV_STATE_DISK_H

#include "nodecfg.h"

/* One folder of the state disk and where it is bound. */
struct state_dir {
	const char *name;       /* below STATE_MOUNT */
	const char *target;
	unsigned mode;
};
extern const struct state_dir state_dirs[];
extern const unsigned n_state_dirs;

/* The whole step; returns the exit status (0 also when the node runs
 * from RAM: that is reported, not fatal). */
int state_disk_run(const struct nodecfg *cfg);

#endif
