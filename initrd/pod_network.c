#include "pod_network.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules.h"
#include "network.h"
#include "run.h"
#include "sysctl.h"

const char *const pod_network_sysctls[] = {
	"net.ipv4.ip_forward=1",
	"net.bridge.bridge-nf-call-iptables=1",
	"net.bridge.bridge-nf-call-ip6tables=1",
	NULL,
};

int pod_route_argv(const char *route, const char *ifname, struct strv *argv, struct perr *err)
{
	char net[64], via[8], gw[64], extra;
	if (!route || sscanf(route, "%63s %7s %63s %c", net, via, gw, &extra) != 3 || strcmp(via, "via") ||
	    !strchr(net, '/'))
		return perr_set(err, -EINVAL, "pod.route `%s`: not NET/LEN via ADDRESS", route ? route : "");
	const char *words[] = { BUSYBOX, "ip", "route", "replace", net, "via", gw, "dev", ifname };
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		strv_add(argv, words[i]);
	return argv->oom ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

int pod_nat_argv(const char *op, const char *cidr, struct strv *argv, struct perr *err)
{
	if (!cidr)
		return perr_set(err, -EINVAL, "node.conf has no pod.cluster_cidr");
	if (!strchr(cidr, '/') || strcspn(cidr, " \t\n") != strlen(cidr) || *cidr == '-')
		return perr_set(err, -EINVAL, "pod.cluster_cidr `%s`: not NET/LEN", cidr);
	const char *words[] = { IPTABLES, "-t", "nat", op, "POSTROUTING", "-s", cidr, "!", "-d", cidr,
				"-m", "comment", "--comment", POD_NAT_COMMENT, "-j", "MASQUERADE" };
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		strv_add(argv, words[i]);
	return argv->oom ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

/* The rule unless it is there already (init may run this again). */
static int pod_nat_up(const char *cidr, struct perr *err)
{
	struct strv check = STRV_INIT, add = STRV_INIT;
	int r = pod_nat_argv("-C", cidr, &check, err);
	if (r == 0)
		r = pod_nat_argv("-A", cidr, &add, err);
	if (r == 0 && run_wait_quiet(check.v, 10, err) < 0) {
		perr_clear(err);
		r = run_wait(add.v, 10, err);
	}
	if (r < 0)
		r = perr_wrap(err, "iptables: no MASQUERADE for pods leaving %s (pods reach each other, "
			      "nothing outside the cluster)", cidr ? cidr : "the cluster CIDR");
	strv_clear(&check);
	strv_clear(&add);
	return r;
}

/* keeps the first failure in err, drops later ones */
static int first(int r, int s, struct perr *err, struct perr *more)
{
	if (s < 0 && r == 0) {
		perr_clear(err);
		*err = *more;
		*more = (struct perr)PERR_INIT;
		return s;
	}
	perr_clear(more);
	return r;
}

int pod_network_up(const struct nodecfg *cfg, const char *ifname, const char *procsys, struct perr *err)
{
	const char *mode = nodecfg_get(cfg, "pod.network"), *route;
	struct perr e = PERR_INIT;
	struct strv missing = STRV_INIT;
	size_t applied = 0, pos = 0;
	int r = 0, s;
	if (!mode || strcmp(mode, "bridge"))
		return 0;
	/* the bridge-nf-call keys exist only once br_netfilter is in */
	char *mod[] = { MODPROBE, "br_netfilter", NULL };
	s = run_wait(mod, 10, &e);
	r = first(r, s < 0 ? perr_wrap(&e, "modprobe br_netfilter") : 0, err, &e);
	s = sysctl_apply(procsys, pod_network_sysctls, &applied, &missing, &e);
	if (s == 0 && missing.n)
		s = perr_set(&e, -ENOENT, "sysctl %s: not in this kernel", missing.v[0]);
	r = first(r, s, err, &e);
	strv_clear(&missing);
	while ((route = nodecfg_next(cfg, "pod.route", &pos))) {
		struct strv argv = STRV_INIT;
		s = pod_route_argv(route, ifname, &argv, &e);
		if (s == 0 && (s = run_wait(argv.v, 10, &e)) < 0)
			s = perr_wrap(&e, "ip route replace %s", route);
		r = first(r, s, err, &e);
		strv_clear(&argv);
	}
	s = pod_nat_up(nodecfg_get(cfg, "pod.cluster_cidr"), &e);
	return first(r, s, err, &e);
}
