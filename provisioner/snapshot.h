/* snapshot: the pure part of etcd's rolling snapshots: their names (node
 * and UTC time), when the next is due, which to prune beyond the
 * retention, and what `etcdctl snapshot status -w json` says of one.
 * snapshot_take.h writes them; etcd_restore.h restores one. */
#ifndef PADDOCK_PROV_SNAPSHOT_H
#define PADDOCK_PROV_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "nodecfg.h"
#include "perr.h"

/* on the state disk (state_disk.c binds it); RKE's folder */
#define SNAPSHOT_DIR "/opt/rke/etcd-snapshots"
#define SNAPSHOT_PREFIX "etcd-snapshot_"
/* written under this prefix, renamed once checked; leftovers removed */
#define SNAPSHOT_TMP_PREFIX "tmp-"

struct snapshot_policy {
	long interval_secs;     /* 0: snapshots off */
	long retention;         /* how many to keep, >= 1 */
	char *restore;          /* node.conf's etcd.restore, or NULL */
};

/* From node.conf's etcd.snapshot.* and etcd.restore; a value that is not a
 * positive number is an error (*err names the key). */
int snapshot_policy_read(const struct nodecfg *c, struct snapshot_policy *out, struct perr *err);
void snapshot_policy_free(struct snapshot_policy *p);

/* "etcd-snapshot_<node>_<YYYYMMDDTHHMMSSZ>" into buf; -ENAMETOOLONG. */
int snapshot_name(const char *node, time_t t, char *buf, size_t size);
/* The UTC time a name of snapshot_name's carries, or -1 when it is not
 * one (another file in the folder: never pruned). */
time_t snapshot_name_time(const char *name);

/* When the next snapshot is due: now when there is none yet (newest < 0)
 * or the newest is from the future by more than an interval (the clock
 * moved back), else newest + interval. */
time_t snapshot_next_due(time_t newest, long interval_secs, time_t now);

/* Of names (any files of the folder), the snapshots to remove so that the
 * retention newest remain: indices into names, oldest first, into
 * ret (heap, *ret_n entries; NULL when none).  *ret_newest: the time of the
 * newest snapshot, -1 when there is none. */
int snapshot_prune_list(char *const *names, size_t n, long retention, size_t **ret, size_t *ret_n,
			time_t *ret_newest);

/* the last snapshot taken, for the status */
struct snapshot_last {
	char name[128];         /* "" before the first */
	time_t time;
	unsigned long long size;
	bool verified;
	unsigned kept;          /* snapshots in the folder after pruning */
};

struct snapshot_status {
	unsigned long long hash, revision, total_keys, total_size;
};
/* The JSON line of `etcdctl snapshot status -w json` in output (other
 * lines, a log's, skipped); -EINVAL with *err saying why when there is
 * none or it lacks a field. */
int snapshot_status_parse(const char *output, struct snapshot_status *out, struct perr *err);

#endif
