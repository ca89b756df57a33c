/* etcd_restore: node.conf's etcd.restore before etcd starts, once per
 * snapshot name: the snapshot in SNAPSHOT_DIR checked (etcdctl snapshot
 * status), restored (etcdctl snapshot restore, as this member of the
 * build's initial cluster) into a fresh folder, put in the data folder's
 * place (the old member moved to member.pre-restore), given to etcd's
 * uid:gid, and RESTORE_MARKER written in the data folder naming it.  A
 * snapshot that fails its check leaves the data folder as it was. */
#ifndef PADDOCK_PROV_ETCD_RESTORE_H
#define PADDOCK_PROV_ETCD_RESTORE_H

#include <stdbool.h>

#include "docker_api.h"
#include "etcd_conf.h"
#include "perr.h"

#define RESTORE_MARKER "paddock-restored"

/* 0 with *ret_done when it restored now, 0 when snapshot is NULL or was
 * restored before; < 0 with *err: etcd must not start from it. */
int etcd_restore(struct docker *d, const struct etcd_conf *ec, const char *snapshot, bool *ret_done,
		 struct perr *err);

#endif
