/* validate_pod_network: paddock.pod_network, paddock's own pod network.
 * `bridge` needs network.plugin: none (else RKE would deploy its own
 * network as well), an IPv4 cluster_cidr of at least a /24, every node's
 * internal_address an IPv4 address with a /24 of its own (pod_cidr.h),
 * and, for statically addressed nodes, every other node on the same LAN
 * (the routes to other nodes' pods go through their addresses). */
#ifndef PADDOCK_VALIDATE_POD_NETWORK_H
#define PADDOCK_VALIDATE_POD_NETWORK_H

#include "config/validate_report.h"

int pod_network_check(struct vctx *v);

#endif
