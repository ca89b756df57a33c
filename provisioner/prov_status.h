/* prov_status: PROVISIONER_STATUS (provision.h), what `paddockctl status`
 * shows of the provisioner: its stage, etcd's members, the last snapshot. */
#ifndef PADDOCK_PROV_STATUS_H
#define PADDOCK_PROV_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "etcd_client.h"
#include "snapshot.h"

struct prov_status {
	const char *stage;      /* "etcd healthy", "waiting for peers", ... */
	double since;           /* boot seconds the stage began */
	const char *detail;     /* or NULL */
	const struct etcd_member *members;
	size_t nmembers;
	uint64_t leader;
	const char *const *health; /* per member: "healthy", "unhealthy" or "?" */
	const struct snapshot_last *snapshot; /* or NULL; name "" before the first */
	const char *snapshot_error; /* the last snapshot's failure, or NULL */
};

/* The file's text (heap); NULL when out of memory. */
char *prov_status_text(const struct prov_status *s);
/* Writes it atomically to path. */
int prov_status_write(const char *path, const struct prov_status *s, struct perr *err);

#endif
