/* validate_version: RKE's rules that follow from kubernetes_version
 * (validate_version.h). */
#include "config/validate_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/system_images.h"

int rke_check_version(struct vctx *v)
{
	struct cluster *c = v->c;
	int a, b, d;
	if (!c->kubernetes_version_set)
		return 0;
	if (c->kubernetes_version[0] != 'v')
		return fail_path(v, "kubernetes_version", "%s is not valid version (RKE wants a 'v' "
				 "and a semantic version, e.g. %s)", c->kubernetes_version,
				 k8s_default_version());
	if (!cfg_k8s_version(c->kubernetes_version, &a, &b, &d))
		return fail_path(v, "kubernetes_version", "%s is not valid semver%s",
				 c->kubernetes_version, NULL);
	return 0;
}

int rke_check_cloud_provider(struct vctx *v)
{
	const struct cluster *c = v->c;
	if (c->cloud_provider_name && !strcmp(c->cloud_provider_name, "aws") &&
	    c->k8s_rules.aws_in_tree_removed)
		return fail_path(v, "cloud_provider.name", "Cloud provider aws is invalid for [%s] "
				 "(Kubernetes 1.27 removed the in-tree AWS provider; use external-aws)",
				 c->kubernetes_version, NULL);
	return 0;
}

/* "RKE's newest of that minor is v1.20.15-rancher2-2", or its default
 * version; k8s_data_name() says in which data. */
static void version_advice(const char *version, char *buf, size_t len)
{
	const struct k8s_version *newest = k8s_version_newest_of_minor(version);
	if (newest)
		snprintf(buf, len, "RKE's newest of that minor is %s", k8s_version_name(newest));
	else
		snprintf(buf, len, "RKE's default is %s", k8s_default_version());
}

int rke_check_known_version(struct vctx *v)
{
	const struct cluster *c = v->c;
	if (c->k8s)
		return 0;
	struct cfg_image_need need[CFG_MAX_IMAGE_NEEDS];
	size_t n = cfg_images_needed(c, need);
	for (size_t i = 0; i < n; i++) {
		if (cfg_image_given(c, need[i].key))
			continue;
		char advice[128], *msg = NULL;
		version_advice(c->kubernetes_version, advice, sizeof(advice));
		if (asprintf(&msg, "%s is an unsupported Kubernetes version and system images are not "
			     "populated: %s is not populated (%s in %s; or give every image under "
			     "system_images, starting with system_images.%s)", c->kubernetes_version,
			     need[i].what, advice, k8s_data_name(), need[i].key) < 0)
			return fail_oom(v);
		int r = fail_path(v, "kubernetes_version", "%s%s", msg, NULL);
		free(msg);
		return r;
	}
	return 0;
}

int rke_check_cri_and_psa(struct vctx *v)
{
	struct cluster *c = v->c;
	if (c->enable_cri_dockerd == CFG_TRUE && !c->k8s_rules.cri_dockerd_allowed)
		return fail_path(v, "enable_cri_dockerd", "Enabling cri-dockerd for cluster version "
				 "[%s] is not supported%s", c->kubernetes_version, NULL);
	const char *psa = c->services.kube_api.pod_security_configuration;
	if (!psa || !*psa)
		return 0;
	const struct ynode *set = ypath(c->root, "services.kube-api.pod_security_configuration");
	if (strcmp(c->authorization.mode, "rbac")) {
		/* the key to change is the mode: RKE sets the PodSecurity level itself */
		char why[160];
		if (set && !ynode_is_null(set))
			snprintf(why, sizeof(why), "services.kube-api.pod_security_configuration is "
				 "`%.20s` (line %d)", psa, set->line);
		else
			snprintf(why, sizeof(why), "RKE turns PodSecurity on (`%s`) for Kubernetes 1.23 "
				 "and later unless services.kube-api.extra_args sets "
				 "admission-control-config-file", psa);
		return fail_path(v, "authorization.mode", "`%s`: PodSecurity can't be enabled with "
				 "RBAC support disabled: %s; set authorization.mode: rbac",
				 c->authorization.mode, why);
	}
	if (!c->k8s_rules.pod_security)
		return fail_path(v, "services.kube-api.pod_security_configuration",
				 "cluster version must be at least v1.23 to use PodSecurity in RKE%s%s",
				 NULL, NULL);
	if (strcmp(psa, "privileged") && strcmp(psa, "restricted"))
		return fail_path(v, "services.kube-api.pod_security_configuration",
				 "invalid pod_security_configuration [%s]. Supported values: "
				 "[privileged, restricted]%s", psa, NULL);
	return 0;
}

/* The x.y.z of an image's tag ("v1.17.14" of
 * "rancher/hyperkube:v1.17.14-rancher1"); false when it has none. */
static bool tag_version(const char *image, int *maj, int *min, int *patch)
{
	const char *slash = strrchr(image, '/');
	const char *colon = strrchr(slash ? slash : image, ':');
	return colon && cfg_k8s_version(colon + 1, maj, min, patch);
}

/* system_images.kubernetes runs another Kubernetes than kubernetes_version
 * names: RKE then also takes the image's minor's default flags. */
static void warn_kubernetes_image(struct vctx *v)
{
	const struct cluster *c = v->c;
	const char *img = cfg_image_given(c, "kubernetes");
	int a[3] = { -1, -1, -1 }, b[3] = { -1, -1, -1 };
	if (!img || !tag_version(img, &a[0], &a[1], &a[2]) ||
	    !cfg_k8s_version(c->kubernetes_version, &b[0], &b[1], &b[2]) || !memcmp(a, b, sizeof(a)))
		return;
	const struct k8s_options *own = k8s_options_find(c->kubernetes_version, NULL);
	char flags[160];
	if (own && c->k8s_flags && own != c->k8s_flags)
		snprintf(flags, sizeof(flags), "; RKE also gives the components %s's default flags "
			 "instead of %s's", k8s_options_key(c->k8s_flags), k8s_options_key(own));
	else if (own && !c->k8s_flags)
		snprintf(flags, sizeof(flags), "; RKE has no default flags for v%d.%d, so the "
			 "components get none of %s's", a[0], a[1], k8s_options_key(own));
	else
		flags[0] = '\0';
	char *msg = NULL;
	if (asprintf(&msg, "`%s` is Kubernetes v%d.%d.%d, but kubernetes_version is %s%s: the nodes "
		     "run the image's version, and the images system_images leaves out are %s's%s", img, a[0], a[1], a[2],
		     c->kubernetes_version, c->kubernetes_version_set ? "" : " (not set: RKE's default)",
		     c->kubernetes_version, flags) < 0)
		return;
	warn_path(v, "system_images.kubernetes", "%s", msg);
	free(msg);
}

void version_warnings(struct vctx *v)
{
	const struct cluster *c = v->c;
	const char *last = c->k8s ? k8s_version_last_rke(c->k8s) : NULL;
	if (last) {
		char advice[128];
		version_advice(c->kubernetes_version, advice, sizeof(advice));
		char *msg = NULL;
		/* the data says which release offered it last, not which release it is */
		if (asprintf(&msg, "%s: RKE releases after %s no longer offer this minor (its "
			     "maxRKEVersion in %s); RKE still accepts it, to upgrade old clusters. %s",
			     c->kubernetes_version, last, k8s_data_name(), advice) >= 0)
			warn_path(v, "kubernetes_version", "%s", msg);
		free(msg);
	}
	if (!c->k8s) {
		char *msg = NULL;
		if (asprintf(&msg, "%s is not in RKE's version table (%s): every image comes from "
			     "system_images, so this combination is your own%s%s", c->kubernetes_version,
			     k8s_data_name(),
			     c->k8s_flags ? "; the default flags are RKE's for " : "; RKE gives its "
			     "components no default flags for it",
			     c->k8s_flags ? k8s_options_key(c->k8s_flags) : "") >= 0)
			warn_path(v, "kubernetes_version", "%s", msg);
		free(msg);
	}
	warn_kubernetes_image(v);
	if (c->enable_cri_dockerd == CFG_FALSE && c->k8s_rules.cri_dockerd)
		warn_path(v, "enable_cri_dockerd", "false, but Kubernetes 1.24 and later have no "
			  "dockershim: the kubelet reaches Docker only through cri-dockerd, so paddock "
			  "plans it anyway%s", NULL);
	if (!strcmp(c->network.plugin, "weave") && c->k8s_rules.weave_deprecated &&
	    !c->k8s_rules.weave_removed)
		warn_path(v, "network.plugin", "Weave CNI plugin is deprecated starting with Kubernetes "
			  "v1.27 and will be removed in Kubernetes v1.30%s", NULL);
}
