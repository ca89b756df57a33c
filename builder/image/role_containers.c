#include "image/role_containers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodecfg.h"
#include "strv.h"
#include "svcconf.h"

/* The role containers in start order and what each waits for; how each
 * runs (command, privileges, namespaces) is the plan's. */
static const struct role {
	const char *name, *depends_on;
} roles[] = {
	{ "etcd", NULL },
	{ "kube-apiserver", "etcd" },
	{ "kube-controller-manager", "kube-apiserver" },
	{ "kube-scheduler", "kube-apiserver" },
	{ "nginx-proxy", NULL },
	{ "kubelet", NULL },
	{ "kube-proxy", "kubelet" },
};

static const struct plan_container *find(const struct plan_container *ct, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ct[i].name, name))
			return &ct[i];
	return NULL;
}

static int add_conf(const struct role *r, size_t order, const struct plan_container *c,
		    const struct plan_container *all, size_t n, struct appl_files *out)
{
	struct strv cmd = STRV_INIT, deps = STRV_INIT;
	struct nodecfg cfg = { 0 };
	char *path = NULL, *data = NULL;
	size_t len = 0;
	int rc = -ENOMEM;

	if (c->binary)
		strv_add(&cmd, c->binary);
	for (size_t a = 0; c->args && c->args[a]; a++)
		strv_add(&cmd, c->args[a]);
	/* a dependency on a container this node does not run is dropped:
	 * kube-apiserver on a controlplane-only node uses the etcd nodes */
	if (r->depends_on && find(all, n, r->depends_on))
		strv_add(&deps, r->depends_on);
	if (cmd.oom || deps.oom)
		goto out;
	char *empty[] = { NULL };
	struct svcconf s = {
		.name = c->name,
		.image = c->image,
		.user = c->user,
		.net = (char *)c->network_mode, /* read only */
		.pid = (char *)c->pid_mode,
		.ipc = "private",
		.command = cmd.v ? cmd.v : empty,
		.entrypoint = empty,
		.volumes = c->binds ? c->binds : empty,
		.env = c->env ? c->env : empty,
		.depends_on = deps.v ? deps.v : empty,
		.privileged = c->privileged,
	};
	if (svc_restart_parse(c->restart, &s.restart) < 0) {
		rc = -EINVAL;
		goto out;
	}
	if (svcconf_to_nodecfg(&s, &cfg) < 0 || !(data = nodecfg_serialize(&cfg, &len)))
		goto out;
	if (asprintf(&path, "%s/%02zu-%s.conf", ROLE_CONTAINERS_DIR, 10 + order, c->name) < 0) {
		path = NULL;
		goto out;
	}
	if (appl_files_add(out, path, data, len, 0644, 0, 0) < 0)
		goto out;
	data = NULL;
	rc = 0;
out:
	free(path);
	free(data);
	nodecfg_free(&cfg);
	strv_clear(&cmd);
	strv_clear(&deps);
	return rc;
}

int role_containers(const struct plan *p, size_t i, struct appl_files *out, struct perr *err)
{
	size_t n;
	const struct plan_container *ct = plan_node_containers(p, i, &n);

	for (size_t k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
		const struct plan_container *c = find(ct, n, roles[k].name);
		int r = c ? add_conf(&roles[k], k, c, ct, n, out) : 0;
		if (r == -EINVAL)
			return perr_set(err, r, "container %s: unknown restart policy %s", c->name, c->restart);
		if (r < 0)
			return perr_set(err, r, "out of memory");
	}
	return 0;
}
