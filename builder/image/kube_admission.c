#include "image/kube_admission.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "config/k8s_version.h"
#include "config/yemit.h"

#define EVENT_RATE_LIMIT "EventRateLimit"
#define POD_SECURITY "PodSecurity"

/* Whether the file's plugins (a sequence of {name, ...}) name `name`. */
static bool named(const struct ynode *plugins, const char *name)
{
	for (size_t i = 0; plugins && plugins->kind == Y_SEQ && i < plugins->n; i++) {
		const struct ynode *n = ymap_get(plugins->items[i], "name");
		if (n && n->kind == Y_SCALAR && !strcmp(n->val, name))
			return true;
	}
	return false;
}

static int plugin(yaml_document_t *d, int plugins, const char *name, int configuration)
{
	int p = ydoc_map(d);
	if (!p || ydoc_set(d, p, "name", ydoc_str(d, name)) < 0 || ydoc_set(d, p, "configuration", configuration) < 0)
		return -ENOMEM;
	return ydoc_push(d, plugins, p);
}

/* RKE's default: 5000 events a second, bursts of 20000, for the server. */
static int event_rate_limit_default(yaml_document_t *d)
{
	static const char *const head[] = { "apiVersion", "eventratelimit.admission.k8s.io/v1alpha1",
					    "kind", "Configuration", NULL };
	int c = ydoc_map(d), limits = ydoc_seq(d), l = ydoc_map(d);
	if (!c || !limits || !l || ydoc_set_strs(d, c, head) < 0 || ydoc_set(d, l, "type", ydoc_str(d, "Server")) < 0 ||
	    ydoc_set(d, l, "qps", ydoc_int(d, 5000)) < 0 || ydoc_set(d, l, "burst", ydoc_int(d, 20000)) < 0 ||
	    ydoc_push(d, limits, l) < 0 || ydoc_set(d, c, "limits", limits) < 0)
		return 0;
	return c;
}

/* RKE's PodSecurityConfiguration for level: privileged enforces nothing;
 * restricted enforces, audits and warns, ingress-nginx and kube-system
 * exempt.  v1 from Kubernetes 1.25, v1beta1 before. */
static int pod_security(yaml_document_t *d, const char *level, const char *version)
{
	int maj = 1, min = 99, patch = 0;
	cfg_k8s_version(version, &maj, &min, &patch);
	bool v1 = maj > 1 || min >= 25, restricted = !strcmp(level, "restricted");
	const char *const head[] = { "apiVersion", v1 ? "pod-security.admission.config.k8s.io/v1"
						      : "pod-security.admission.config.k8s.io/v1beta1",
				     "kind", "PodSecurityConfiguration", NULL };
	const char *const defaults[] = { "enforce", level, "enforce-version", "latest", "audit", level,
					 "audit-version", "latest", "warn", level, "warn-version", "latest", NULL };
	const char *const enforce_only[] = { "enforce", level, "enforce-version", "latest", NULL };
	int c = ydoc_map(d), def = ydoc_map(d);
	if (!c || !def || ydoc_set_strs(d, c, head) < 0 || ydoc_set_strs(d, def, restricted ? defaults : enforce_only) < 0 ||
	    ydoc_set(d, c, "defaults", def) < 0)
		return 0;
	if (restricted) {
		int ex = ydoc_map(d), ns = ydoc_seq(d);
		if (!ex || !ns || ydoc_push(d, ns, ydoc_str(d, "ingress-nginx")) < 0 ||
		    ydoc_push(d, ns, ydoc_str(d, "kube-system")) < 0 || ydoc_set(d, ex, "namespaces", ns) < 0 ||
		    ydoc_set(d, c, "exemptions", ex) < 0)
			return 0;
	}
	return c;
}

static int build(yaml_document_t *d, const struct cluster *c)
{
	const struct cfg_kube_api *a = &c->services.kube_api;
	const struct ynode *user = a->admission_configuration;
	const struct ynode *theirs = user ? ymap_get(user, "plugins") : NULL;
	int root = ydoc_map(d), plugins;
	if (!root)
		return -ENOMEM;
	for (size_t i = 0; user && i < ymap_len(user); i++) {
		const struct ynode *k = ymap_key(user, i);
		if (k->kind == Y_SCALAR && !strcmp(k->val, "plugins"))
			continue;
		if (ydoc_pair(d, root, ydoc_tree(d, k), ydoc_tree(d, ymap_val(user, i))) < 0)
			return -ENOMEM;
	}
	if ((!user || !ymap_get(user, "apiVersion")) &&
	    ydoc_set(d, root, "apiVersion", ydoc_str(d, "apiserver.config.k8s.io/v1")) < 0)
		return -ENOMEM;
	if ((!user || !ymap_get(user, "kind")) && ydoc_set(d, root, "kind", ydoc_str(d, "AdmissionConfiguration")) < 0)
		return -ENOMEM;
	if (!(plugins = ydoc_seq(d)) || ydoc_set(d, root, "plugins", plugins) < 0)
		return -ENOMEM;
	for (size_t i = 0; theirs && theirs->kind == Y_SEQ && i < theirs->n; i++)
		if (ydoc_push(d, plugins, ydoc_tree(d, theirs->items[i])) < 0)
			return -ENOMEM;
	if (a->event_rate_limit && !named(theirs, EVENT_RATE_LIMIT) &&
	    plugin(d, plugins, EVENT_RATE_LIMIT,
		   a->event_rate_limit_config ? ydoc_tree(d, a->event_rate_limit_config) : event_rate_limit_default(d)) < 0)
		return -ENOMEM;
	const char *level = a->pod_security_configuration;
	if (level && *level && !named(theirs, POD_SECURITY) &&
	    plugin(d, plugins, POD_SECURITY, pod_security(d, level, c->kubernetes_version)) < 0)
		return -ENOMEM;
	return 0;
}

int kube_admission_yaml(const struct cluster *c, char **out, size_t *len, struct perr *err)
{
	yaml_document_t d;
	int r = ydoc_init(&d, err);
	if (r < 0)
		return r;
	if (build(&d, c) < 0) {
		yaml_document_delete(&d);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	return ydoc_dump(&d, out, len, err);
}
