#include "config/pod_cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config/netaddr.h"

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

const char *pod_cidr_cluster_problem(const char *cluster_cidr)
{
	struct ipaddr a;
	int plen;
	if (!cluster_cidr || !cidr_parse(cluster_cidr, &a, &plen))
		return "is not a CIDR (e.g. 10.42.0.0/16)";
	if (a.family != AF_INET)
		return "is not IPv4: paddock's bridge pod network is IPv4 only";
	if (plen > POD_CIDR_NODE_PREFIX)
		return "is smaller than a /24: each node needs a /24 of it";
	if (plen < 8)
		return "is wider than a /8";
	return NULL;
}

int pod_cidr_of(const char *cluster_cidr, const char *node_ip, char out[POD_CIDR_LEN])
{
	struct ipaddr net, node;
	int plen;
	if (pod_cidr_cluster_problem(cluster_cidr) || !cidr_parse(cluster_cidr, &net, &plen) ||
	    !node_ip || !ip_parse(node_ip, &node) || node.family != AF_INET)
		return -EINVAL;
	unsigned bits = POD_CIDR_NODE_PREFIX - (unsigned)plen;
	uint32_t slots = (uint32_t)1 << bits;
	uint32_t mask = plen ? ~(uint32_t)0 << (32 - plen) : 0;
	uint32_t sub = (be32(net.b) & mask) | ((be32(node.b) & (slots - 1)) << (32 - POD_CIDR_NODE_PREFIX));
	snprintf(out, POD_CIDR_LEN, "%u.%u.%u.0/%d", sub >> 24, (sub >> 16) & 255, (sub >> 8) & 255,
		 POD_CIDR_NODE_PREFIX);
	return 0;
}

int pod_cidr_cluster(const char *cluster_cidr, char out[POD_CIDR_LEN])
{
	struct ipaddr net;
	int plen;
	if (pod_cidr_cluster_problem(cluster_cidr) || !cidr_parse(cluster_cidr, &net, &plen))
		return -EINVAL;
	uint32_t n = be32(net.b) & ~(uint32_t)0 << (32 - plen);
	snprintf(out, POD_CIDR_LEN, "%u.%u.%u.%u/%d", n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255, plen);
	return 0;
}

int pod_cidr_gateway(const char *subnet, char out[POD_CIDR_LEN])
{
	struct ipaddr a;
	int plen;
	if (!subnet || !cidr_parse(subnet, &a, &plen) || a.family != AF_INET || plen > 30)
		return -EINVAL;
	uint32_t mask = plen ? ~(uint32_t)0 << (32 - plen) : 0;
	uint32_t gw = (be32(a.b) & mask) + 1;
	snprintf(out, POD_CIDR_LEN, "%u.%u.%u.%u", gw >> 24, (gw >> 16) & 255, (gw >> 8) & 255, gw & 255);
	return 0;
}
