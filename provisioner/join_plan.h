/* join_plan: what a node whose disk holds no etcd data does, from the
 * membership a running member answered (etcd_member_list): start a
 * member added for it earlier, ask to be added as a learner, or wait for
 * another node's join to end.  And the --initial-cluster an added member
 * starts with (initial-cluster-state=existing): every member of the
 * cluster, itself included, since etcd 3.4 refuses a list that differs
 * from the cluster's. */
#ifndef PADDOCK_PROV_JOIN_PLAN_H
#define PADDOCK_PROV_JOIN_PLAN_H

#include <stddef.h>

#include "etcd_client.h"

enum join_kind {
	JOIN_START_ADDED,       /* a member with our peer URL was added, never started: start it */
	JOIN_ADD,               /* no member has our peer URL: ask to be added as a learner */
	JOIN_WAIT,              /* another node's learner is there: joins go one at a time */
	JOIN_CONFLICT,          /* a started member has our peer URL, yet this disk has no data */
};

/* The decision; *ret_index: the member with our peer URL (START_ADDED,
 * CONFLICT) or the other learner (WAIT). */
enum join_kind join_decide(const struct etcd_member *m, size_t n, const char *self_url, size_t *ret_index);

/* "name=peer-url,..." for every member: self_name for the member with
 * self_url, "unstarted-ID" (hex) for others not started yet.  NULL when
 * out of memory. */
char *join_initial_cluster(const struct etcd_member *m, size_t n, const char *self_name, const char *self_url);

/* The index of the member with peer URL url, or n. */
size_t join_find(const struct etcd_member *m, size_t n, const char *url);

#endif
