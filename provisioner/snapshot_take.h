/* snapshot_take: the provisioner's rolling etcd snapshots on schedule:
 * etcdctl snapshot save under a temporary name in SNAPSHOT_DIR, checked
 * with etcdctl snapshot status, renamed into place, the oldest beyond the
 * retention removed.  A failure is one line (console and status), tried
 * again later; older snapshots and etcd are left alone.
 *
 * The snapshot itself (snapshot_take) runs beside the provisioner's loop
 * (snapshot_job.h); the schedule and the outcome (snapshots_due,
 * snapshots_done) stay in the loop. */
#ifndef PADDOCK_PROV_SNAPSHOT_TAKE_H
#define PADDOCK_PROV_SNAPSHOT_TAKE_H

#include <stdbool.h>
#include <time.h>

#include "docker_api.h"
#include "etcd_conf.h"
#include "snapshot.h"

/* the one-shot container a snapshot runs in */
#define SNAPSHOT_CONTAINER "etcd-snapshot"

struct snapshots {
	struct snapshot_policy policy;
	char node[64];          /* node.conf's node.name, in the names */
	time_t next_due;        /* 0: from the folder's newest at the next look */
	struct snapshot_last last;
	char *error;            /* the last attempt's failure, or NULL */
};

/* What one snapshot came to (plain data: it crosses a pipe). */
struct snapshot_result {
	int r;                  /* 0 taken, < 0 failed */
	char name[128];
	unsigned long long size, revision, keys;
	double secs;
	long long free_bytes;   /* SNAPSHOT_DIR's free space when it failed, -1 unknown */
	char msg[512];          /* why it failed */
};

/* Reads node.conf (NODECFG_PATH); a bad key turns snapshots off and says
 * so on the console. */
void snapshots_setup(struct snapshots *s);
void snapshots_free(struct snapshots *s);

/* Whether a snapshot is due at now (the first look prunes the folder and
 * takes the schedule from its newest snapshot). */
bool snapshots_due(struct snapshots *s, time_t now);

/* Takes one now (named for node and now), to its end: the console line
 * and the result are the caller's (snapshots_done). */
void snapshot_take(struct docker *d, const struct etcd_conf *ec, const char *node, time_t now,
		   struct snapshot_result *res);

/* The end of a snapshot: its console line, s->last or s->error, the
 * folder pruned, the next one due.  A failure is said as a full state
 * disk when etcdctl or Docker said so, or when the disk had less room
 * than the last snapshot needed. */
void snapshots_done(struct snapshots *s, const struct snapshot_result *res, time_t now);

#endif
