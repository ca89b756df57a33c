/* validate_nodes: node addresses and names, where paddock is stricter than
 * RKE: an address left as an example's placeholder ends up in every etcd
 * flag and certificate, so it is an error at its line; a loopback address
 * in a cluster of several nodes, and a host name Kubernetes lower-cases,
 * are warnings. */
#ifndef PADDOCK_VALIDATE_NODES_H
#define PADDOCK_VALIDATE_NODES_H

#include "config/validate_report.h"

/* address and internal_address: placeholders and impossible values. */
int strict_check_node_addresses(struct vctx *v);

/* Loopback addresses among several nodes; upper-case host names (once). */
void node_warnings(struct vctx *v);

#endif
