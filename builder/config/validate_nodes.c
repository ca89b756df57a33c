/* validate_nodes: node addresses and names (validate_nodes.h). */
#include "config/validate_nodes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/netaddr.h"

int strict_check_node_addresses(struct vctx *v)
{
	static const char *const keys[] = { "address", "internal_address" };
	for (size_t i = 0; i < v->c->nnodes; i++) {
		const struct cfg_node *n = &v->c->nodes[i];
		for (size_t k = 0; k < 2; k++) {
			const struct ynode *y = ymap_get(n->y, keys[k]);
			if (!y || y->kind != Y_SCALAR || ynode_is_null(y) || !*y->val)
				continue;
			const char *why = node_address_problem(y->val);
			if (!why)
				continue;
			return FAIL_AT(v, y->line, y->col, "nodes[%zu].%s: `%s` %s: write the node's IP "
				       "address or host name (it goes into every etcd flag and "
				       "certificate)", i, keys[k], y->val, why);
		}
	}
	return 0;
}

static void loopback_warnings(struct vctx *v)
{
	static const char *const keys[] = { "address", "internal_address" };
	if (v->c->nnodes < 2)
		return;
	for (size_t i = 0; i < v->c->nnodes; i++) {
		const struct cfg_node *n = &v->c->nodes[i];
		for (size_t k = 0; k < 2; k++) {
			const struct ynode *y = ymap_get(n->y, keys[k]);
			if (!y || y->kind != Y_SCALAR || !is_loopback(y->val))
				continue;
			diag_add(v->diags, v->c->file, y->line, y->col, "nodes[%zu].%s: `%s` is a "
				 "loopback address, but the cluster has %zu nodes: the others cannot "
				 "reach this one by it", i, keys[k], y->val, v->c->nnodes);
		}
	}
}

/* RKE lower-cases every host name for Kubernetes; say so once. */
static void lowered_warning(struct vctx *v)
{
	size_t first = 0, count = 0;
	const struct ynode *fy = NULL;
	for (size_t i = 0; i < v->c->nnodes; i++) {
		const struct cfg_node *n = &v->c->nodes[i];
		const struct ynode *y = ymap_get(n->y, "hostname_override");
		if (!y || ynode_is_null(y) || y->kind != Y_SCALAR || !*y->val)
			y = ymap_get(n->y, "address");     /* RKE's default */
		if (!y || y->kind != Y_SCALAR || !n->hostname_override ||
		    !strcmp(y->val, n->hostname_override) || strcasecmp(y->val, n->hostname_override))
			continue;
		if (!count++)
			first = i, fy = y;
	}
	if (!count)
		return;
	const struct cfg_node *n = &v->c->nodes[first];
	bool own = fy == ymap_get(n->y, "hostname_override");
	char more[64] = "";
	if (count > 1)
		snprintf(more, sizeof(more), " (so are %zu more nodes' names)", count - 1);
	diag_add(v->diags, v->c->file, fy->line, fy->col, "nodes[%zu].%s: `%s` becomes the node name "
		 "`%s`: Kubernetes node names are lower case%s", first,
		 own ? "hostname_override" : "address", fy->val, n->hostname_override, more);
}

void node_warnings(struct vctx *v)
{
	loopback_warnings(v);
	lowered_warning(v);
}
