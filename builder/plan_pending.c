/* plan_pending: weak stand-ins for the plan API (plan.h) so the builder
 * links before the cluster.yml front end is merged.  The real plan.c
 * defines the same symbols strongly and wins; delete this file once it is
 * in. */
#include <errno.h>

#include "plan.h"

__attribute__((weak)) int plan_load(const char *path, struct plan **out, struct diag_list *diags,
				    struct perr *err)
{
	(void)out;
	(void)diags;
	return perr_set(err, -ENOSYS, "%s: the cluster.yml front end is not built in yet", path);
}

__attribute__((weak)) const char *plan_cluster_name(const struct plan *p)
{
	(void)p;
	return NULL;
}

__attribute__((weak)) const struct plan_build_opts *plan_build_options(const struct plan *p)
{
	(void)p;
	return NULL;
}

__attribute__((weak)) size_t plan_node_count(const struct plan *p)
{
	(void)p;
	return 0;
}

__attribute__((weak)) const struct plan_node *plan_node_at(const struct plan *p, size_t i)
{
	(void)p;
	(void)i;
	return NULL;
}

__attribute__((weak)) int plan_node_config(const struct plan *p, size_t i, struct nodecfg *out,
					   struct perr *err)
{
	(void)p;
	(void)i;
	(void)out;
	return perr_set(err, -ENOSYS, "plan: not available");
}

__attribute__((weak)) void plan_free(struct plan *p)
{
	(void)p;
}
