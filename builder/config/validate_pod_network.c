#include "config/validate_pod_network.h"

#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/netaddr.h"
#include "config/pod_cidr.h"

/* The key a node's route address comes from: internal_address when the
 * file gives one, else address. */
static const char *addr_key(const struct cfg_node *n)
{
	const struct ynode *ia = ymap_get(n->y, "internal_address");
	return ia && !ynode_is_null(ia) ? "internal_address" : "address";
}

static int fail_node(struct vctx *v, size_t i, const char *fmt, const char *a, const char *b)
{
	const struct cfg_node *n = &v->c->nodes[i];
	const char *key = addr_key(n);
	char *msg = NULL;
	int line, col;
	value_pos(n->y, key, &line, &col);
	if (asprintf(&msg, fmt, a ? a : "", b ? b : "") < 0)
		return fail_oom(v);
	int r = FAIL_AT(v, line, col, "nodes[%zu].%s: %s", i, key, msg);
	free(msg);
	return r;
}

/* A static node's LAN must hold every other node's address. */
static int check_lan(struct vctx *v, size_t i)
{
	const struct cluster *c = v->c;
	const struct cfg_boot *b = &c->nodes[i].boot;
	struct ipaddr mine, other;
	int plen;
	if (!b->net_mode || strcmp(b->net_mode, "static") || !b->net_address ||
	    !cidr_parse(b->net_address, &mine, &plen))
		return 0;
	for (size_t j = 0; j < c->nnodes; j++) {
		const char *ip = c->nodes[j].internal_address;
		if (j == i || !ip_parse(ip, &other) || ip_same_prefix(&mine, &other, plen))
			continue;
		char msg[160];
		snprintf(msg, sizeof(msg), "%%s is outside nodes[%zu]'s network %%s: the bridge pod network "
			 "routes pods through the other nodes' addresses, on one LAN", i);
		return fail_node(v, j, msg, ip, b->net_address);
	}
	return 0;
}

int pod_network_check(struct vctx *v)
{
	struct cluster *c = v->c;
	const char *pn = c->paddock.pod_network;
	const char *cidr = c->services.kube_controller.cluster_cidr;
	if (strcmp(pn, "none") && strcmp(pn, "bridge"))
		return fail_path(v, "paddock.pod_network", "`%s`: use bridge (paddock's own network, from "
				 "Debian's CNI plugins) or none (network.plugin decides)%s", pn, NULL);
	if (!strcmp(pn, "none"))
		return 0;
	if (strcmp(c->network.plugin, "none")) {
		const struct ynode *np = ypath(c->root, "network.plugin");
		if (np && !ynode_is_null(np))
			return fail_path(v, "network.plugin", "`%s`: paddock.pod_network is bridge; set "
					 "network.plugin: none, or RKE would deploy %s as well", c->network.plugin,
					 c->network.plugin);
		return fail_path(v, "paddock.pod_network", "bridge needs network.plugin: none (RKE's "
				 "default, %s, would deploy its own network as well)%s", c->network.plugin, NULL);
	}
	const char *why = pod_cidr_cluster_problem(cidr);
	if (why)
		return fail_path(v, "services.kube-controller.cluster_cidr", "`%s` %s (paddock.pod_network: bridge)",
				 cidr, why);
	char (*subnets)[POD_CIDR_LEN] = calloc(c->nnodes ? c->nnodes : 1, sizeof(*subnets));
	if (!subnets)
		return fail_oom(v);
	int r = 0;
	for (size_t i = 0; i < c->nnodes && !r; i++) {
		struct ipaddr a;
		const char *ip = c->nodes[i].internal_address;
		if (!ip || !ip_parse(ip, &a) || a.family != AF_INET) {
			r = fail_node(v, i, "`%s` is not an IPv4 address: the bridge pod network routes "
				      "each node's pods through it%s", ip, NULL);
			break;
		}
		pod_cidr_of(cidr, ip, subnets[i]);
		for (size_t j = 0; j < i && !r; j++) {
			if (strcmp(subnets[i], subnets[j]))
				continue;
			char msg[200];
			snprintf(msg, sizeof(msg), "`%%s` gets the pod subnet %%s, as nodes[%zu] does (a node's "
				 "/24 of cluster_cidr is numbered by its address's last bits): widen "
				 "services.kube-controller.cluster_cidr", j);
			r = fail_node(v, i, msg, ip, subnets[i]);
		}
	}
	free(subnets);
	for (size_t i = 0; i < c->nnodes && !r; i++)
		r = check_lan(v, i);
	return r;
}
