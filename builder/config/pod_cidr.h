/* pod_cidr: paddock's own pod network (paddock.pod_network: bridge) gives
 * every node a /24 of services.kube-controller.cluster_cidr, chosen by the
 * node's own IPv4 address (internal_address): the address's low bits, as
 * many as the cluster CIDR has /24s (8 for a /16), number the /24.  So a
 * node keeps its subnet when others are added, removed or reordered; on
 * one LAN no wider than the cluster CIDR has /24s (a /24 LAN under a /16)
 * two nodes cannot share a subnet. */
#ifndef PADDOCK_POD_CIDR_H
#define PADDOCK_POD_CIDR_H

#include <stddef.h>

#define POD_CIDR_NODE_PREFIX 24     /* each node's subnet: 254 pods; the kubelet runs at most 110 */
#define POD_CIDR_LEN 19             /* "255.255.255.0/24" and its NUL, rounded up */

/* Checks a cluster CIDR for this network: NULL when usable, else why not
 * (a phrase to follow the value). */
const char *pod_cidr_cluster_problem(const char *cluster_cidr);

/* The subnet of the node at IPv4 address node_ip, "10.42.11.0/24", into
 * out.  0, or -EINVAL when cluster_cidr is not usable or node_ip is not an
 * IPv4 address. */
int pod_cidr_of(const char *cluster_cidr, const char *node_ip, char out[POD_CIDR_LEN]);

/* The cluster CIDR with its host bits cleared, "10.42.0.0/16", into out
 * (the nodes' NAT rule names it).  0, or -EINVAL when not usable. */
int pod_cidr_cluster(const char *cluster_cidr, char out[POD_CIDR_LEN]);

/* The first address of a subnet (the bridge's, the pods' gateway),
 * "10.42.11.1", into out.  0 or -EINVAL. */
int pod_cidr_gateway(const char *subnet, char out[POD_CIDR_LEN]);

#endif
