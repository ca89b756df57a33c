/* prov_sys: the real prov_ops (prov_ops.h): System Docker, etcd's API
 * through libcurl, the files under /run/paddock, the snapshot in a child
 * process (snapshot_job.h), CLOCK_BOOTTIME and time(). */
#ifndef PADDOCK_PROV_SYS_H
#define PADDOCK_PROV_SYS_H

#include <signal.h>

#include "docker_api.h"
#include "etcd_client.h"
#include "prov_ops.h"
#include "snapshot_job.h"

struct prov_sys {
	struct docker *d;
	struct etcd_client cl;
	struct snapshot_job job;
	const volatile sig_atomic_t *cancel; /* set: requests end at once */
	/* the snapshot's arguments, for the child */
	const struct etcd_conf *snap_ec;
	const char *snap_node;
	time_t snap_now;
};

extern const struct prov_ops prov_sys_ops;

/* Opens System Docker's client (no I/O yet) and etcd's; 0 or < 0 with *err. */
int prov_sys_open(struct prov_sys *s, const struct etcd_conf *ec, const volatile sig_atomic_t *cancel,
		  struct perr *err);
void prov_sys_close(struct prov_sys *s);

#endif
