/* removed_flags: flags Kubernetes removed (removed_flags.h).
 *
 * Sources, each a Kubernetes release's own notes:
 *   CHANGELOG-1.24.md: dockershim is removed, and with it the kubelet's
 *     --network-plugin, --cni-bin-dir, --cni-conf-dir and --docker-endpoint
 *     (KEP-2221); kube-apiserver's insecure serving flags --address,
 *     --insecure-bind-address, --port and --insecure-port, and
 *     kube-controller-manager's --address and --port (inert since 1.20,
 *     kubernetes#95856) are removed.
 *   CHANGELOG-1.27.md: the kubelet's --container-runtime is removed
 *     (kubernetes#114017); kube-controller-manager's --pod-eviction-timeout
 *     and --enable-taint-manager are removed (kubernetes#115840).
 * RKE's own version data agrees: its default flags stop passing
 * network-plugin, cni-*-dir, insecure-port and the controller's address at
 * v1.24, and pod-eviction-timeout at v1.27.  The table keeps to these;
 * a flag not listed is not checked. */
#include "config/removed_flags.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *service, *flag;
	int minor;
} removed[] = {
	{ "kubelet", "network-plugin", 24 },
	{ "kubelet", "cni-bin-dir", 24 },
	{ "kubelet", "cni-conf-dir", 24 },
	{ "kubelet", "docker-endpoint", 24 },
	{ "kubelet", "container-runtime", 27 },
	{ "kube-api", "insecure-port", 24 },
	{ "kube-api", "insecure-bind-address", 24 },
	{ "kube-api", "address", 24 },
	{ "kube-api", "port", 24 },
	{ "kube-controller", "address", 24 },
	{ "kube-controller", "port", 24 },
	{ "kube-controller", "pod-eviction-timeout", 27 },
	{ "kube-controller", "enable-taint-manager", 27 },
};

int removed_flag_minor(const char *service, const char *flag, int minor)
{
	while (*flag == '-')
		flag++;
	for (size_t i = 0; i < sizeof(removed) / sizeof(*removed); i++)
		if (!strcmp(removed[i].service, service) && !strcmp(removed[i].flag, flag) &&
		    minor >= removed[i].minor)
			return removed[i].minor;
	return 0;
}

static const char *const binary[][2] = {
	{ "kubelet", "kubelet" }, { "kube-api", "kube-apiserver" },
	{ "kube-controller", "kube-controller-manager" }, { "scheduler", "kube-scheduler" },
	{ "kubeproxy", "kube-proxy" },
};

static void check(struct vctx *v, const char *svc, const char *bin, const char *list,
		  const char *flag, int minor)
{
	int gone = removed_flag_minor(svc, flag, minor);
	if (!gone)
		return;
	char path[64];
	snprintf(path, sizeof(path), "services.%s.%s", svc, list);
	int line, col;
	key_pos(ypath(v->c->root, path), flag, &line, &col);
	diag_add(v->diags, v->c->file, line, col, "%s.%s: the %s has no --%s since Kubernetes "
		 "v1.%d (kubernetes_version is %s) and will not start with it: remove it", path,
		 flag, bin, flag, gone, v->c->kubernetes_version);
}

void removed_flag_warnings(struct vctx *v)
{
	struct cluster *c = v->c;
	int maj = 0, min = 0, patch = 0;
	if (!cfg_k8s_version(c->kubernetes_version, &maj, &min, &patch) || maj != 1)
		return;
	const struct cfg_service *bases[] = { &c->services.kubelet.base, &c->services.kube_api.base,
					      &c->services.kube_controller.base, &c->services.scheduler,
					      &c->services.kubeproxy };
	for (size_t s = 0; s < sizeof(bases) / sizeof(*bases); s++) {
		const struct cfg_service *b = bases[s];
		for (size_t i = 0; i < b->extra_args.n; i++)
			check(v, binary[s][0], binary[s][1], "extra_args", b->extra_args.v[i].key, min);
		for (size_t i = 0; i < b->extra_args_array.n; i++)
			check(v, binary[s][0], binary[s][1], "extra_args_array",
			      b->extra_args_array.keys[i], min);
	}
}
