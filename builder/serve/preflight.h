/* preflight: what paddock serve checks before it starts anything, each
 * refusal one line in *err: the interface and its IPv4 address, the ports
 * (by binding them), another DHCP server on the LAN (Debian busybox's
 * udhcpc, configuring nothing), the output's paddock version and audit. */
#ifndef PADDOCK_SERVE_PREFLIGHT_H
#define PADDOCK_SERVE_PREFLIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include "perr.h"
#include "serve/serve_out.h"

struct iface_addr {
	char ip[16], network[16], netmask[16];
	uint32_t addr, mask;    /* host byte order */
	bool ipv6;              /* it has a global or unique local IPv6 address */
};

/* The interface's first IPv4 address and its subnet. */
int preflight_iface(const char *iface, struct iface_addr *a, struct perr *err);
/* Binds (and closes) ip:port (ip NULL: every address) for SOCK_STREAM (with
 * SO_REUSEADDR, as the server will: TIME_WAIT does not take a port) or SOCK_DGRAM. */
int preflight_port(int type, const char *ip, int port, const char *what, struct perr *err);
/* -EEXIST when a DHCP server answers a discover on iface. */
int preflight_dhcp(const char *iface, struct perr *err);
/* The output was written by this paddock (builder/version.h). */
int preflight_version(const struct serve_out *o, struct perr *err);
/* `paddock audit OUT` passes. */
int preflight_audit(const char *dir, struct perr *err);

#endif
