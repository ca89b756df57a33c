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

/* a new map of the string pairs kv (KEY, VALUE, ..., NULL); 0 when out of memory */
static int str_map(yaml_document_t *d, const char *const *kv)
{
	int m = ydoc_map(d);
	return m && ydoc_set_strs(d, m, kv) == 0 ? m : 0;
}

#define PAIRS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* name: NAME and KEY: VALUE, one item of a kubeconfig list pushed to seq */
static int named(yaml_document_t *d, int seq, const char *name, const char *key, int value)
{
	int item = str_map(d, PAIRS("name", name));
	return item && value && ydoc_set(d, item, key, value) == 0 ? ydoc_push(d, seq, item) : -ENOMEM;
}

/* {insecure-skip-tls-verify: true} plus, with server, server: SERVER */
static int insecure(yaml_document_t *d, const char *server)
{
	int m = server ? str_map(d, PAIRS("server", server)) : ydoc_map(d);
	return m && ydoc_set(d, m, "insecure-skip-tls-verify", ydoc_bool(d, 1)) == 0 ? m : 0;
}

/* RKE's default webhook kubeconfig: the token reviews go to Rancher's
 * kube-api-auth on the node itself (127.0.0.1:6440). */
static int default_authn_webhook(yaml_document_t *d)
{
	int root = str_map(d, PAIRS("apiVersion", "v1", "kind", "Config"));
	int clusters = ydoc_seq(d), users = ydoc_seq(d), contexts = ydoc_seq(d);
	if (!root || !clusters || !users || !contexts ||
	    named(d, clusters, "Default", "cluster", insecure(d, "http://127.0.0.1:6440/v1/authenticate")) < 0 ||
	    named(d, users, "Default", "user", insecure(d, NULL)) < 0 ||
	    named(d, contexts, "webhook", "context", str_map(d, PAIRS("user", "Default", "cluster", "Default"))) < 0 ||
	    ydoc_set(d, root, "clusters", clusters) < 0 || ydoc_set(d, root, "users", users) < 0 ||
	    ydoc_set(d, root, "current-context", ydoc_str(d, "webhook")) < 0 ||
	    ydoc_set(d, root, "contexts", contexts) < 0)
		return -ENOMEM;
	return 0;
}

/* tree written again, or (NULL) the document fallback makes. */
static int yaml_of(const struct ynode *tree, int (*fallback)(yaml_document_t *), char **out, size_t *len,
		   struct perr *err)
{
	yaml_document_t d;
	int r = ydoc_init(&d, err);
	if (r < 0)
		return r;
	if (tree ? !ydoc_tree(&d, tree) : fallback(&d) < 0) {
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
			r = yaml_of(a->audit.policy, default_policy, &data, &len, err);
		else if (!strcmp(f[k].path, PLAN_ADMISSION_CONFIG))
			r = kube_admission_yaml(c, &data, &len, err);
		/* the managed one ("state") holds a key: the PKI writes it */
		else if (!strcmp(f[k].path, PLAN_ENCRYPTION_CONFIG) && a->encryption_custom_config &&
			 !strcmp(f[k].source, "cluster.yml"))
			r = yaml_of(a->encryption_custom_config, NULL, &data, &len, err);
		/* the user's config_file is a string: written as given, as RKE does */
		else if (!strcmp(f[k].path, PLAN_AUTHN_WEBHOOK) && !c->authentication.webhook_config_file)
			r = yaml_of(NULL, default_authn_webhook, &data, &len, err);
		else if (!strcmp(f[k].path, PLAN_AUTHN_WEBHOOK)) {
			len = strlen(c->authentication.webhook_config_file);
			if (!(data = strdup(c->authentication.webhook_config_file)))
				r = perr_set(err, -ENOMEM, "out of memory");
		} else
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
