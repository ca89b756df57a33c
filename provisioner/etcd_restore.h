/* etcd_restore: node.conf's etcd.restore before etcd starts, once per
 * snapshot name: the snapshot in SNAPSHOT_DIR checked (etcdctl snapshot
 * status), restored (etcdctl snapshot restore, as this member of the
 * build's initial cluster) into a fresh folder, put in the data folder's
 * place (the old member moved to member.pre-restore), given to etcd's
 * uid:gid.  A snapshot that fails its check leaves the data folder as it
 * was, and the error names the snapshots that do check out and the ways
 * forward.
 *
 * The steps are recorded in a journal in RESTORE_JOURNAL_DIR, root's own
 * folder on the state disk beside etcd's (never in the folder etcd's uid
 * owns), so that a restore cut short at any point and tried again ends
 * with the snapshot's data in place and the data etcd had before the first
 * try in member.pre-restore: a retry never removes it.  Only a later
 * restore of another snapshot, once this one is done, replaces
 * member.pre-restore.  When node.conf names no snapshot any more while a
 * restore is unfinished, the data etcd had is put back in place. */
#ifndef PADDOCK_PROV_ETCD_RESTORE_H
#define PADDOCK_PROV_ETCD_RESTORE_H

#include <stdbool.h>

#include "docker_api.h"
#include "etcd_conf.h"
#include "perr.h"
#include "provision.h"

#define RESTORE_JOURNAL_DIR STATE_MOUNT "/etcd-restore"
/* where earlier builds wrote the snapshot's name, in etcd's data folder:
 * read once (a restore it names is not done again), then removed */
#define RESTORE_LEGACY_MARKER "paddock-restored"

/* 0 with *ret_done when the data folder got its member now (a restore
 * done or finished now, or an unfinished one's earlier data put back);
 * 0 when snapshot is NULL or was restored before; < 0 with *err: etcd
 * must not start. */
int etcd_restore(struct docker *d, const struct etcd_conf *ec, const char *snapshot, bool *ret_done,
		 struct perr *err);

/* What the restore runs, for tests. */
struct etcd_restore_ops {
	/* argv (etcdctl ...) in the one-shot container, as etcd_oneshot */
	int (*etcdctl)(void *ctx, char *const argv[], int *ret_code, char **ret_out, struct perr *err);
	/* called after each step that changed a disk (name says which);
	 * < 0 stops the restore there, as a crash would; may be NULL */
	int (*step)(void *ctx, const char *name);
	void *ctx;
	const char *journal_dir;        /* RESTORE_JOURNAL_DIR */
	const char *snapshot_dir;       /* SNAPSHOT_DIR, the same path in the container */
};
int etcd_restore_with(const struct etcd_restore_ops *ops, const struct etcd_conf *ec, const char *snapshot,
		      bool *ret_done, struct perr *err);

#endif
