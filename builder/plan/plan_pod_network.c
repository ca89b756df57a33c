/* plan_pod_network: paddock's bridge pod network (paddock.pod_network:
 * bridge) in the plan: each node's subnet (config/pod_cidr.h), its CNI
 * configuration file, and its routes to every other node's pods.  Every
 * node runs a kubelet (plan.c), so every node takes part. */
#include <errno.h>
#include <stdlib.h>

#include "config/pod_cidr.h"
#include "plan/plan_model.h"

bool plan_pod_bridge(const struct plan *p)
{
	return !strcmp(p->c->paddock.pod_network, "bridge");
}

void plan_pod_network(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	char subnet[POD_CIDR_LEN];
	if (!plan_pod_bridge(p))
		return;
	/* validation made sure of an IPv4 address and a usable cluster CIDR */
	if (pod_cidr_of(p->c->services.kube_controller.cluster_cidr, n->internal_address, subnet) < 0)
		return;
	pn->pub.pod_cidr = plan_strf(p, "%s", subnet);
	pn_file(p, pn, PLAN_CNI_CONFLIST, 0644, "generated");
}

char **plan_pod_routes(const struct plan *p, size_t i)
{
	struct strv v = STRV_INIT;
	for (size_t j = 0; j < p->n && i < p->n; j++) {
		const struct plan_node *o = &p->nodes[j].pub;
		if (j != i && o->pod_cidr)
			strv_addf(&v, "%s via %s", o->pod_cidr, o->internal_address);
	}
	return strv_steal(&v);
}

int plan_pod_node_config(const struct plan *p, size_t i, struct nodecfg *out)
{
	const struct plan_node *n = &p->nodes[i].pub;
	if (!n->pod_cidr)
		return 0;
	char cluster[POD_CIDR_LEN];
	if (pod_cidr_cluster(p->c->services.kube_controller.cluster_cidr, cluster) < 0)
		return -EINVAL; /* not reached: pod_cidr_of took it */
	char **routes = plan_pod_routes(p, i);
	int r = -!routes;
	r |= nodecfg_add(out, "pod.network", "bridge");
	r |= nodecfg_add(out, "pod.cidr", n->pod_cidr);
	/* the node masquerades what its pods send out of it, nothing between pods */
	r |= nodecfg_add(out, "pod.cluster_cidr", cluster);
	for (size_t j = 0; routes && routes[j]; j++)
		r |= nodecfg_add(out, "pod.route", routes[j]);
	strv_free(routes);
	return r;
}
