/* prov_machine: the provisioner's etcd watch as explicit phases, one
 * function each, over the seam of prov_ops.h (unit-tested with
 * stand-ins).
 *
 *   WAIT_DOCKER ──ping──> START_ETCD ──started──> WAIT_HEALTHY ──health──> HEALTHY
 *        │                 │      │                    │                  │    ^
 *        │ 120 s           │      │ restore refused    │ exited           │    │ health
 *        v                 │      v                    v                  v    │
 *     FAILED               │   RESTORE_REFUSED    RESTART_BACKOFF <── UNHEALTHY
 *                          └─ start failed ──────────^  (at next_restart: START_ETCD)
 *
 * STOPPED once prov_stop() ran.  Beside the phase, the member's role
 * (ROLE_ASK: ask the cluster, ROLE_LEARNER: promote it, ROLE_VOTER), and
 * at most one snapshot running beside the loop.  A snapshot is taken only
 * while etcd is HEALTHY and this member is a voter: known when the build's
 * cluster has only this peer, or when the cluster lists it as one. */
#ifndef PADDOCK_PROV_MACHINE_H
#define PADDOCK_PROV_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "etcd_client.h"
#include "etcd_conf.h"
#include "prov_ops.h"
#include "snapshot_take.h"

enum prov_phase {
	PROV_WAIT_DOCKER,       /* System Docker not answering yet */
	PROV_START_ETCD,        /* etcd to start at the next step */
	PROV_WAIT_HEALTHY,      /* started, not healthy since */
	PROV_HEALTHY,
	PROV_UNHEALTHY,         /* was healthy, then failed its checks */
	PROV_RESTART_BACKOFF,   /* stopped, or failed to start: started again at next_restart */
	PROV_RESTORE_REFUSED,   /* the restore asked for was refused: etcd stays stopped */
	PROV_FAILED,            /* System Docker never answered: the provisioner ends */
	PROV_STOPPED,
};

enum prov_role {
	ROLE_ASK,               /* unknown (restarted from its data, a promotion unanswered): ask */
	ROLE_LEARNER,           /* a learner to promote (p->learner) */
	ROLE_VOTER,
};

struct prov {
	const struct prov_ops *ops;
	void *ctx;
	struct etcd_conf ec;
	struct snapshots sn;

	enum prov_phase phase;
	enum prov_role role;
	uint64_t learner;       /* this member's ID while it is (or was last seen) a learner */

	/* the status */
	const char *stage;
	double since;
	char *detail;
	struct etcd_member *members;
	size_t nmembers;
	uint64_t leader;
	char **health;

	double docker_deadline;
	bool start_tried;       /* ETCD_START_TRIED written */
	bool restore_checked;   /* the restore asked for is done (now or before): not asked again */
	char *refused;          /* the restore's refusal, said once */
	bool ever_healthy;
	bool fresh_new;         /* started a new cluster from a blank disk, not healthy since */
	bool join_failed;       /* the last start failed on the way into the running cluster */
	unsigned fails;         /* failed health checks in a row */
	double started_at, next_restart, restart_backoff;
	double next_peers, peers_backoff, next_members;
	double next_role, role_backoff;
	bool snap_running;
	double snap_deadline;
};

/* p->ops, p->ctx, p->ec and p->sn set by the caller; the rest zero. */
void prov_init(struct prov *p);
/* One step of the current phase; returns the seconds until the next. */
double prov_step(struct prov *p);
/* The shutdown: a running snapshot killed, etcd stopped. */
void prov_stop(struct prov *p);
void prov_free(struct prov *p);

const char *prov_phase_name(enum prov_phase ph);

#endif
