/* etcd_oneshot: etcdctl in a one-shot container of etcd's own image, with
 * etcd's binds and environment (ETCDCTL_* name the local member and its
 * client certificate), on the host network, as root, plus the snapshot
 * folder.  Snapshots and restores run this way. */
#ifndef PADDOCK_PROV_ETCD_ONESHOT_H
#define PADDOCK_PROV_ETCD_ONESHOT_H

#include "docker_api.h"
#include "etcd_conf.h"
#include "perr.h"

/* Runs argv in container `name` (an earlier one of that name removed) to
 * its end and removes it.  Returns 0 with *ret_code (its exit status) and
 * *ret_out (its output, heap, NUL-terminated) when it ran; a negative
 * code with *err when Docker refused. */
int etcd_oneshot(struct docker *d, const struct etcd_conf *ec, const char *name, char *const argv[],
		 int *ret_code, char **ret_out, struct perr *err);

/* The last non-empty line of out (for a status line), in buf. */
const char *oneshot_last_line(const char *out, char *buf, size_t size);

#endif
