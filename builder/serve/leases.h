/* leases: dnsmasq's lease file (dhcp-leasefile=), one lease a line:
 * "EXPIRY MAC IP HOSTNAME CLIENT-ID"; which address a MAC holds. */
#ifndef PADDOCK_SERVE_LEASES_H
#define PADDOCK_SERVE_LEASES_H

#include "serve/neigh.h"

/* The address leased to mac (any case) in text: 0 and ip (dotted quad,
 * at most 15 characters), or -ENOENT. */
int leases_lookup(const char *text, const char *mac, char ip[16]);

/* The contents of path (heap), "" when it does not exist, NULL on error. */
char *leases_read(const char *path);

#endif
