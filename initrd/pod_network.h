/* pod_network: what paddock's bridge pod network (node.conf pod.network=
 * bridge) needs of the node before the kubelet runs: br_netfilter loaded,
 * forwarding and bridge netfilter on (a worker forwards its pods' packets;
 * kube-proxy's Service rules must see bridged pod traffic), and a route to
 * every other node's pods (pod.route) once the NIC has its address, and
 * one NAT rule: what a pod sends out of the cluster CIDR (pod.cluster_cidr)
 * leaves with the node's address, while pods reach each other with their
 * own (the CNI bridge masquerades nothing).  No exception for the Service
 * CIDR: kube-proxy DNATs a ClusterIP before POSTROUTING, so the rule sees
 * the endpoint's address.  The DHCP hook sets the routes again when a new
 * lease flushed them. */
#ifndef PADDOCK_INIT_POD_NETWORK_H
#define PADDOCK_INIT_POD_NETWORK_H

#include "nodecfg.h"
#include "perr.h"
#include "strv.h"

/* The sysctls, "key=value", NULL-terminated (sysctl_apply). */
extern const char *const pod_network_sysctls[];

/* The `ip` command for a pod.route value ("10.42.12.0/24 via
 * 10.10.0.12") on ifname: BUSYBOX ip route replace NET via GW dev IF.
 * -EINVAL with *err naming the value when it is not of that form. */
int pod_route_argv(const char *route, const char *ifname, struct strv *argv, struct perr *err);

#define IPTABLES "/usr/sbin/iptables"
#define POD_NAT_COMMENT "paddock: pods leaving the cluster CIDR"

/* The iptables command for the NAT rule, op "-C" (is it there?) or "-A":
 * IPTABLES -t nat OP POSTROUTING -s CIDR ! -d CIDR -m comment --comment
 * POD_NAT_COMMENT -j MASQUERADE.  -EINVAL when cidr is no NET/LEN word. */
int pod_nat_argv(const char *op, const char *cidr, struct strv *argv, struct perr *err);

/* Nothing unless cfg says pod.network=bridge; else the module, the sysctls
 * under procsys, the routes on ifname and the NAT rule (once).  Tries
 * everything, returns the first failure; without the NAT rule pods still
 * reach each other, not beyond the cluster, and *err says so. */
int pod_network_up(const struct nodecfg *cfg, const char *ifname, const char *procsys, struct perr *err);

#endif
