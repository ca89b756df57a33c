/* role_containers: the svcconf files the provisioner and paddock-services
 * run a node's role containers from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "image/role_containers.h"
#include "svcconf.h"

static const struct appl_file *find(const struct appl_files *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].path, path))
			return &f->v[i];
	return NULL;
}

static void parse(const struct appl_file *f, struct svcconf *s)
{
	struct perr e = PERR_INIT;
	struct nodecfg c = { 0 };
	assert_non_null(f);
	assert_int_equal(nodecfg_parse(f->path, f->data, f->len, &c, &e), 0);
	assert_int_equal(svcconf_from_nodecfg(f->path, &c, s, &e), 0);
	nodecfg_free(&c);
}

static bool has(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void stacked_node_runs_etcd_first_then_the_control_plane(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = NULL;
	struct appl_files f = { 0 };
	struct svcconf etcd = { 0 }, api = { 0 }, kubelet = { 0 };

	assert_int_equal(plan_load("configs/ha-3node.yml", &p, NULL, &e), 0);
	assert_int_equal(role_containers(p, 1, &f, &e), 0);
	/* RKE's snapshot and sidekick containers are not run */
	assert_int_equal(f.n, 6);
	for (size_t i = 0; i < f.n; i++) {
		assert_null(strstr(f.v[i].path, "snapshots"));
		assert_null(strstr(f.v[i].path, "sidekick"));
		assert_int_equal(f.v[i].mode, 0644);
	}
	parse(find(&f, "/etc/paddock/containers/10-etcd.conf"), &etcd);
	assert_string_equal(etcd.image, "paddock/etcd:3.4.23-debian");
	assert_string_equal(etcd.user, "52034:52035");
	assert_string_equal(etcd.command[0], "etcd");
	assert_true(has(etcd.command, "--name=etcd-node2"));
	assert_true(has(etcd.command, "--initial-cluster-state=new"));
	assert_true(has(etcd.volumes, "/var/lib/etcd:/var/lib/rancher/etcd/:z"));
	assert_string_equal(etcd.net, "host");
	assert_false(etcd.privileged);
	assert_null(etcd.depends_on[0]);

	parse(find(&f, "/etc/paddock/containers/11-kube-apiserver.conf"), &api);
	assert_string_equal(api.image, "registry.example.internal:5000/rancher/hyperkube:v1.30.5-rancher1");
	assert_string_equal(api.command[0], "kube-apiserver");
	assert_true(has(api.command, "--authorization-mode=Node,RBAC"));
	assert_true(has(api.depends_on, "etcd"));
	assert_true(!api.user || !*api.user); /* root, as RKE runs it */

	parse(find(&f, "/etc/paddock/containers/15-kubelet.conf"), &kubelet);
	assert_true(kubelet.privileged);
	assert_string_equal(kubelet.pid, "host");
	assert_true(has(kubelet.command, "--hostname-override=node2"));
	svcconf_free(&etcd);
	svcconf_free(&api);
	svcconf_free(&kubelet);
	appl_files_free(&f);
	plan_free(p);
}

static const char split_roles[] = "nodes:\n"
				  "  - {address: 10.0.0.1, user: rancher, role: [etcd]}\n"
				  "  - {address: 10.0.0.2, user: rancher, role: [controlplane]}\n"
				  "  - {address: 10.0.0.3, user: rancher, role: [worker]}\n"
				  "private_registries:\n"
				  "  - {url: reg.example:5000/mirror, is_default: true}\n"
				  "paddock:\n"
				  "  etcd_image: registry\n";

static void split_roles_drop_dependencies_on_other_nodes(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = NULL;
	struct appl_files f0 = { 0 }, f1 = { 0 }, f2 = { 0 };
	struct svcconf etcd = { 0 }, api = { 0 };

	assert_int_equal(plan_load_buffer("split.yml", split_roles, sizeof(split_roles) - 1, &p, NULL, &e), 0);
	assert_string_equal(plan_default_registry(p), "reg.example:5000");
	assert_int_equal(role_containers(p, 0, &f0, &e), 0);
	assert_int_equal(role_containers(p, 1, &f1, &e), 0);
	assert_int_equal(role_containers(p, 2, &f2, &e), 0);
	/* RKE runs the kubelet and kube-proxy on every node */
	assert_int_equal(f0.n, 4);
	assert_non_null(find(&f0, "/etc/paddock/containers/15-kubelet.conf"));
	assert_null(find(&f1, "/etc/paddock/containers/14-nginx-proxy.conf"));
	parse(find(&f0, "/etc/paddock/containers/10-etcd.conf"), &etcd);
	/* etcd_image: registry → RKE's image from the default registry */
	assert_non_null(strstr(etcd.image, "reg.example:5000/mirror/"));
	assert_non_null(strstr(etcd.image, "etcd"));
	parse(find(&f1, "/etc/paddock/containers/11-kube-apiserver.conf"), &api);
	assert_null(api.depends_on[0]);
	/* a worker without the control plane reaches it through nginx-proxy */
	assert_non_null(find(&f2, "/etc/paddock/containers/14-nginx-proxy.conf"));
	assert_null(find(&f2, "/etc/paddock/containers/11-kube-apiserver.conf"));
	svcconf_free(&etcd);
	svcconf_free(&api);
	appl_files_free(&f0);
	appl_files_free(&f1);
	appl_files_free(&f2);
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stacked_node_runs_etcd_first_then_the_control_plane),
		cmocka_unit_test(split_roles_drop_dependencies_on_other_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
