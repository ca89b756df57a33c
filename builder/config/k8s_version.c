/* k8s_version: Kubernetes versions and what follows from one (k8s_version.h). */
#include "config/k8s_version.h"

#include <ctype.h>
#include <string.h>

bool cfg_k8s_version(const char *v, int *maj, int *min, int *patch)
{
	if (!v || v[0] != 'v')
		return false;
	const char *p = v + 1;
	int *out[3] = { maj, min, patch };
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return false;
		long x = 0;
		while (isdigit((unsigned char)*p)) {
			x = x * 10 + (*p++ - '0');
			if (x > 100000)
				return false;
		}
		*out[i] = (int)x;
		if (i < 2 && *p++ != '.')
			return false;
	}
	/* semver pre-release / build: [-+][0-9A-Za-z.-]+ */
	if (*p && *p != '-' && *p != '+')
		return false;
	if (*p && !p[1])
		return false;
	for (const char *q = p; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr(".-+", *q))
			return false;
	return true;
}

void k8s_rules_for(const char *version, struct k8s_rules *out)
{
	int maj = 1, min = 99, patch = 0;
	(void)cfg_k8s_version(version, &maj, &min, &patch);
#define AT_LEAST(mi, pa) (maj > 1 || min > (mi) || (min == (mi) && patch >= (pa)))
	out->audit_log = AT_LEAST(17, 4) || (min == 16 && patch >= 8) || (min == 15 && patch >= 11);
	out->pod_security = AT_LEAST(23, 0);
	out->cri_dockerd = AT_LEAST(24, 0);
	out->cri_dockerd_allowed = AT_LEAST(21, 0);
	out->container_runtime_flag = !AT_LEAST(27, 0);
	out->ingress_webhook = AT_LEAST(21, 0);
	out->weave_deprecated = AT_LEAST(27, 0);
	out->weave_removed = AT_LEAST(30, 0);
	out->aws_in_tree_removed = AT_LEAST(27, 0);
	out->apiserver_count = maj == 1 && min == 8;
	out->ingress_network_mode = AT_LEAST(21, 0) ? "hostPort" : "hostNetwork";
	out->dns_provider = AT_LEAST(14, 0) ? "coredns" : "kube-dns";
#undef AT_LEAST
}
