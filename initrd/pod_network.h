/* pod_network: what paddock's bridge pod network (node.conf pod.network=
 * bridge) needs of the node before the kubelet runs: br_netfilter loaded,
 * forwarding and bridge netfilter on (a worker forwards its pods' packets;
 * kube-proxy's Service rules must see bridged pod traffic), and a route to
 * every other node's pods (pod.route) once the NIC has its address.  The
 * DHCP hook sets the routes again when a new lease flushed them. */
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

/* Nothing unless cfg says pod.network=bridge; else the module, the sysctls
 * under procsys and the routes on ifname.  Tries everything, returns the
 * first failure. */
int pod_network_up(const struct nodecfg *cfg, const char *ifname, const char *procsys, struct perr *err);

#endif
