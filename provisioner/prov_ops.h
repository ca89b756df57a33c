/* prov_ops: what the provisioner's phases (prov_machine.h) do to the
 * machine: System Docker, etcd's API, the files init and paddockctl read,
 * the snapshot run beside the loop, and the clock.  prov_sys.h has the
 * real ones; the unit tests put stand-ins here, as PID 1's tests do with
 * pid1_sys. */
#ifndef PADDOCK_PROV_OPS_H
#define PADDOCK_PROV_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "etcd_client.h"
#include "etcd_conf.h"
#include "perr.h"
#include "prov_status.h"
#include "snapshot_take.h"

struct prov_ops {
	/* the clock: boot seconds (stages, back-offs) and wall time
	 * (snapshot names and schedule) */
	double (*now)(void *ctx);
	time_t (*wall)(void *ctx);

	/* System Docker and the etcd container */
	int (*docker_ping)(void *ctx, struct perr *err);
	int (*image_ensure)(void *ctx, const char *image, struct perr *err);
	int (*data_prepare)(void *ctx, const struct etcd_conf *ec, bool *ret_has_data, struct perr *err);
	/* etcd_restore(): 0 (*ret_done when it restored now), < 0 refused */
	int (*restore)(void *ctx, const struct etcd_conf *ec, const char *snapshot, bool *ret_done,
		       struct perr *err);
	/* removes the data folder's member (a fresh one, to join instead) */
	int (*wipe_member)(void *ctx, const struct etcd_conf *ec, struct perr *err);
	int (*container_run)(void *ctx, const struct etcd_conf *ec, struct perr *err);
	/* 1 running, 0 stopped (*ret_exit), -ENOENT none, other < 0: no answer */
	int (*container_state)(void *ctx, int *ret_exit, struct perr *err);
	int (*container_stop)(void *ctx, struct perr *err);
	/* the container's last lines (heap) */
	int (*container_logs)(void *ctx, unsigned tail, char **ret, struct perr *err);
	/* free bytes of the file system holding dir, -1 unknown */
	long long (*free_bytes)(void *ctx, const char *dir);

	/* etcd: its API (quick: a short timeout, for other members) */
	int (*health)(void *ctx, const char *url, bool quick, struct perr *err);
	int (*members)(void *ctx, const char *url, struct etcd_member **ret, size_t *ret_n, struct perr *err);
	int (*leader)(void *ctx, const char *url, uint64_t *ret_leader, struct perr *err);
	/* etcd_join.h, through the other peers */
	int (*join_prepare)(void *ctx, struct etcd_conf *ec, bool *ret_joined, uint64_t *ret_learner,
			    struct perr *err);
	int (*join_self)(void *ctx, const struct etcd_conf *ec, bool *ret_member, uint64_t *ret_learner,
			 struct perr *err);
	int (*join_promote)(void *ctx, const struct etcd_conf *ec, uint64_t id, struct perr *err);
	bool (*peer_reachable)(void *ctx, const char *url);

	/* one snapshot at a time beside the loop (snapshot_take() in
	 * another process): started, polled (0 running, 1 ended with
	 * *res), or killed at its deadline (its container removed too) or
	 * the shutdown (the container left to System Docker's own stop:
	 * /init's 20 s for the provisioner go to etcd's stop; the next
	 * snapshot removes a container left over) */
	int (*snap_start)(void *ctx, const struct etcd_conf *ec, const char *node, time_t now, struct perr *err);
	int (*snap_poll)(void *ctx, struct snapshot_result *res);
	void (*snap_kill)(void *ctx, bool remove_container);

	/* a flag file init reads (ETCD_HEALTHY, ETCD_START_TRIED): made or removed */
	void (*mark)(void *ctx, const char *path, bool on);
	/* PROVISIONER_STATUS, for paddockctl status */
	void (*status)(void *ctx, const struct prov_status *s);
};

#endif
