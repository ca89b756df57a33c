/* snapshot_take: the provisioner's rolling etcd snapshots on schedule:
 * etcdctl snapshot save under a temporary name in SNAPSHOT_DIR, checked
 * with etcdctl snapshot status, renamed into place, the oldest beyond the
 * retention removed.  A failure is one line (console and status), tried
 * again later; older snapshots and etcd are left alone. */
#ifndef PADDOCK_PROV_SNAPSHOT_TAKE_H
#define PADDOCK_PROV_SNAPSHOT_TAKE_H

#include <stdbool.h>
#include <time.h>

#include "docker_api.h"
#include "etcd_conf.h"
#include "snapshot.h"

struct snapshots {
	struct snapshot_policy policy;
	char node[64];          /* node.conf's node.name, in the names */
	time_t next_due;        /* 0: from the folder's newest at the next tick */
	struct snapshot_last last;
	char *error;            /* the last attempt's failure, or NULL */
};

/* Reads node.conf (NODECFG_PATH); a bad key turns snapshots off and says
 * so on the console. */
void snapshots_setup(struct snapshots *s);
void snapshots_free(struct snapshots *s);

/* Takes a snapshot when one is due (call while etcd is healthy).
 * Returns true when s->last or s->error changed (the status needs
 * writing). */
bool snapshots_tick(struct snapshots *s, struct docker *d, const struct etcd_conf *ec);

#endif
