/* mounts: the filesystems init sets up, the move into a tmpfs root, and
 * the unmounting at shutdown. */
#ifndef PADDOCK_INIT_MOUNTS_H
#define PADDOCK_INIT_MOUNTS_H

#include "perr.h"

/* Set in the environment of the second init, the one running on tmpfs. */
#define ROOT_ENV "PADDOCK_ROOT"

/* Moves every file of the initramfs into a fresh tmpfs (freeing the
 * originals as it goes, so memory is not held twice), makes it the root
 * and re-executes /init there.  runc refuses pivot_root on the initramfs
 * rootfs; containers need a real mount as root.  Returns only on failure. */
int root_to_tmpfs(char *const argv[], struct perr *err);

/* proc, sys, devtmpfs, devpts, shm, mqueue, run, tmp, cgroup2. */
int mounts_early(struct perr *err);

/* Unmounts everything but / in reverse mount order (lazily when busy) and
 * remounts / read-only; *ret_left counts mounts that would not go. */
int mounts_unmount_all(int *ret_left, struct perr *err);

/* Copies the tree at src_dir into dst_dir (both open directory fds), keeping
 * modes, owners, symlinks and device nodes; with unlink_src the source is
 * emptied as it goes.  skip_dev: a directory on this device is not entered
 * (0: none).  Exposed for the unit test. */
int tree_move(int src_dir, int dst_dir, int unlink_src, unsigned long skip_dev, struct perr *err);

#endif
