#include "image/kube_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/yemit.h"
#include "image/kube_admission.h"

/* RKE's newDefaultAuditPolicy: every request's metadata, no bodies. */
static int default_policy(yaml_document_t *d)
{
	int root = ydoc_map(d), rules = ydoc_seq(d), rule = ydoc_map(d);
	if (!root || !rules || !rule || ydoc_set(d, root, "apiVersion", ydoc_str(d, "audit.k8s.io/v1")) < 0 ||
	    ydoc_set(d, root, "kind", ydoc_str(d, "Policy")) < 0 ||
	    ydoc_set(d, rule, "level", ydoc_str(d, "Metadata")) < 0 || ydoc_push(d, rules, rule) < 0 ||
	    ydoc_set(d, root, "rules", rules) < 0)
		return -ENOMEM;
	return 0;
}

/* tree written again, or (NULL) the default policy. */
static int yaml_of(const struct ynode *tree, char **out, size_t *len, struct perr *err)
{
	yaml_document_t d;
	int r = ydoc_init(&d, err);
	if (r < 0)
		return r;
	if (tree ? !ydoc_tree(&d, tree) : default_policy(&d) < 0) {
		yaml_document_delete(&d);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	return ydoc_dump(&d, out, len, err);
}

int kube_node_files(const struct plan *p, size_t i, struct appl_files *out, struct perr *err)
{
	const struct cluster *c = plan_cluster(p);
	const struct cfg_kube_api *a = &c->services.kube_api;
	size_t n;
	const struct plan_file *f = plan_node_files(p, i, &n);
	int r = 0;
	for (size_t k = 0; r == 0 && k < n; k++) {
		char *data = NULL;
		size_t len = 0;
		if (!strcmp(f[k].path, PLAN_AUDIT_POLICY))
			r = yaml_of(a->audit.policy, &data, &len, err);
		else if (!strcmp(f[k].path, PLAN_ADMISSION_CONFIG))
			r = kube_admission_yaml(c, &data, &len, err);
		/* the managed one ("state") holds a key: the PKI writes it */
		else if (!strcmp(f[k].path, PLAN_ENCRYPTION_CONFIG) && a->encryption_custom_config &&
			 !strcmp(f[k].source, "cluster.yml"))
			r = yaml_of(a->encryption_custom_config, &data, &len, err);
		else
			continue;
		if (r == 0 && appl_files_add(out, f[k].path, data, len, f[k].mode, 0, 0) < 0) {
			free(data);
			r = perr_set(err, -ENOMEM, "out of memory");
		}
		if (r < 0)
			r = perr_wrap(err, "node %s: %s", plan_node_at(p, i)->name, f[k].path);
	}
	return r;
}
