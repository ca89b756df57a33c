#include "serve/access.h"

#include <string.h>

#include "serve/leases.h"

enum access_verdict access_check(const struct access_query *q, char mac[MAC_STR_LEN])
{
	char want[MAC_STR_LEN], ip[16];
	strcpy(mac, "-");
	if ((q->peer & q->mask) != (q->net & q->mask))
		return ACCESS_OFF_SUBNET;
	if (neigh_lookup(q->neigh_text, q->peer_ip, q->iface, mac) < 0) {
		strcpy(mac, "-");
		return ACCESS_NO_NEIGHBOUR;
	}
	if (mac_normalize(q->node_mac, want) < 0 || strcmp(mac, want))
		return ACCESS_WRONG_MAC;
	if (q->lease_text && (leases_lookup(q->lease_text, want, ip) < 0 || strcmp(ip, q->peer_ip)))
		return ACCESS_NOT_LEASED;
	if (q->once_used)
		return ACCESS_ONCE_USED;
	return ACCESS_OK;
}

const char *access_reason(enum access_verdict v)
{
	switch (v) {
	case ACCESS_OK: return "allowed";
	case ACCESS_OFF_SUBNET: return "the address is not on the served subnet";
	case ACCESS_NO_NEIGHBOUR: return "the neighbour table has no MAC for the address";
	case ACCESS_WRONG_MAC: return "the address's MAC is not the node's paddock.mac";
	case ACCESS_NOT_LEASED: return "the address is not the one leased to the node's MAC";
	case ACCESS_ONCE_USED: return "--once: the layer was already sent in this boot cycle";
	}
	return "refused";
}
