/* etcd_join: a node whose disk holds no etcd data asks the running
 * cluster about itself before etcd starts (the peers of its
 * --initial-cluster, the cluster file's etcd nodes); a member that answers
 * decides (join_plan.h) whether it starts a member added for it earlier,
 * is added now as a learner, or waits.  No answer: the cluster is being
 * formed, and a node of the build's etcd set starts as one of it.  And
 * the learner's promotion once it has caught up. */
#ifndef PADDOCK_PROV_ETCD_JOIN_H
#define PADDOCK_PROV_ETCD_JOIN_H

#include <stdbool.h>
#include <stdint.h>

#include "etcd_client.h"
#include "etcd_conf.h"
#include "perr.h"

/* 0 and *ret_joined false: no member answered.  0 and *ret_joined true:
 * c's flags are set to start as an added member (existing cluster,
 * every member in --initial-cluster); *ret_learner its ID when it is a
 * learner still, else 0.  -EAGAIN: another node is joining (try again
 * later); -EEXIST: a started member has this node's peer URL. */
int etcd_join_prepare(struct etcd_client *cl, struct etcd_conf *c, bool *ret_joined, uint64_t *ret_learner,
		      struct perr *err);

/* Whether the running cluster lists this node's peer URL (*ret_member),
 * and its member ID when it is a learner (*ret_learner, else 0); -ENOENT
 * when no other member answered. */
int etcd_join_self(struct etcd_client *cl, const struct etcd_conf *c, bool *ret_member, uint64_t *ret_learner,
		   struct perr *err);

/* Promotes the learner id through the other members (0 when one did). */
int etcd_join_promote(struct etcd_client *cl, const struct etcd_conf *c, uint64_t id, struct perr *err);

#endif
