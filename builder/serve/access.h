/* access: who may have a node's layer (nodes/<node>.img), which holds the
 * node's private keys.  The peer must be on the served subnet, the kernel's
 * neighbour table must map it to the node's paddock.mac, with --dhcp it
 * must be the address dnsmasq leased to that MAC, and with --once the
 * layer must not have been sent whole since the node's last script fetch.
 * Everything else the server holds goes to anyone. */
#ifndef PADDOCK_SERVE_ACCESS_H
#define PADDOCK_SERVE_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "serve/neigh.h"

enum access_verdict {
	ACCESS_OK,
	ACCESS_OFF_SUBNET,    /* a routed peer: its neighbour entry is the router's */
	ACCESS_NO_NEIGHBOUR,  /* no complete neighbour entry for the peer */
	ACCESS_WRONG_MAC,     /* the peer's MAC is not the node's */
	ACCESS_NOT_LEASED,    /* --dhcp: the node's MAC does not hold this address */
	ACCESS_ONCE_USED,     /* --once: already sent in this boot cycle (HTTP 410) */
};

struct access_query {
	uint32_t peer, net, mask;      /* host byte order */
	const char *peer_ip;           /* dotted quad of peer */
	const char *iface;
	const char *node_mac;          /* the node's paddock.mac */
	const char *neigh_text;        /* /proc/net/arp */
	const char *lease_text;        /* dnsmasq's lease file; NULL without --dhcp */
	bool once_used;
};

/* The verdict; mac gets the peer's MAC from the neighbour table ("-" when none). */
enum access_verdict access_check(const struct access_query *q, char mac[MAC_STR_LEN]);
/* Why, in words, for the log. */
const char *access_reason(enum access_verdict v);

#endif
