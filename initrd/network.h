/* network: hostname, loopback, and the node's one NIC (static or DHCP). */
#ifndef PADDOCK_INIT_NETWORK_H
#define PADDOCK_INIT_NETWORK_H

#include <stdbool.h>

#include "nodecfg.h"
#include "perr.h"

#define BUSYBOX "/bin/busybox"
#define UDHCPC_SCRIPT "/usr/share/paddock/udhcpc.script"

/* Sets the hostname and writes /etc/hostname and /etc/hosts. */
int net_set_hostname(const char *name, struct perr *err);

int net_loopback_up(struct perr *err);

/* Finds the boot NIC: the one with MAC mac, or the first Ethernet
 * interface when mac is NULL/empty; waits up to timeout_s for the driver
 * to register it.  *ret_ifname is a heap string. */
int net_find_nic(const char *mac, int timeout_s, char **ret_ifname, struct perr *err);

/* Brings ifname up and waits up to timeout_s for carrier. */
int net_link_up(const char *ifname, int timeout_s, struct perr *err);

/* Static address, gateway and resolv.conf from node.conf (net.*). */
int net_static(const char *ifname, const struct nodecfg *cfg, struct perr *err);

/* Waits up to timeout_s until ifname has an IPv4 address (DHCP). */
int net_wait_ipv4(const char *ifname, int timeout_s, char **ret_addr, struct perr *err);

#endif
