/* The role containers paddock-services runs: which it takes, when they may
 * start, and how a failed pull of their image is told. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pull.h"
#include "services.h"
#include "supervise.h"

static char dir[] = "/tmp/paddock-roles-XXXXXX";

static void put(const char *name, const char *text)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void roles_join_the_services_but_etcd(void **state)
{
	(void)state;
	char *healthy = NULL;
	struct osvc *v = NULL;
	struct perr e = PERR_INIT;
	size_t n = 0;

	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&healthy, "%s/etcd.healthy", dir) > 0);
	put("10-etcd.conf", "name=etcd\nimage=r/etcd:1\n");
	put("20-kube-apiserver.conf", "name=kube-apiserver\nimage=r/hyperkube:1\ndepends_on=etcd\n");
	put("30-kubelet.conf", "name=kubelet\nimage=r/hyperkube:1\ndepends_on=docker\n");
	/* the os-services first, as paddock-services loads them */
	v = calloc(1, sizeof(*v));
	put("docker.svc", "name=docker\nimage=paddock/docker:1\n");
	char *p = NULL;
	assert_true(asprintf(&p, "%s/docker.svc", dir) > 0);
	assert_int_equal(svcconf_load(p, &v[0].conf, &e), 0);
	free(p);
	n = 1;

	assert_int_equal(services_load_roles(dir, &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_false(v[0].role);
	assert_string_equal(v[1].conf.name, "kube-apiserver");
	assert_string_equal(v[2].conf.name, "kubelet");
	assert_true(v[1].role && v[2].role);
	assert_int_equal(services_register(v, n, &e), 0);

	/* etcd is the provisioner's: its health file gates what depends on it */
	assert_false(services_deps_running(v, n, &v[1], healthy));
	put("etcd.healthy", "");
	assert_true(services_deps_running(v, n, &v[1], healthy));
	/* other dependencies: the service must run */
	assert_false(services_deps_running(v, n, &v[2], healthy));
	v[0].sv->state = SV_RUNNING;
	assert_true(services_deps_running(v, n, &v[2], healthy));

	services_free(v, n);
	sv_reset();
	free(healthy);
	assert_true(asprintf(&p, "rm -rf %s", dir) > 0);
	assert_int_equal(system(p), 0);
	free(p);
}

static void a_missing_dir_adds_nothing(void **state)
{
	(void)state;
	struct osvc *v = NULL;
	struct perr e = PERR_INIT;
	size_t n = 0;

	assert_int_equal(services_load_roles("/nonexistent/containers", &v, &n, &e), 0);
	assert_int_equal(n, 0);
	services_free(v, n);
}

static void pull_backoff_doubles_to_five_minutes(void **state)
{
	(void)state;
	const double want[] = { 5, 10, 20, 40, 80, 160, 300, 300 };
	for (unsigned i = 0; i < sizeof(want) / sizeof(*want); i++)
		assert_true(pull_backoff(i + 1) == want[i]);
}

static void a_failed_pull_is_one_line(void **state)
{
	(void)state;
	char *l = pull_state_line("10.0.2.2:5000/rancher/rke-tools:v1", DOCKER_PULL_AUTH,
				  "Head \"https://10.0.2.2:5000/v2/x\":\n\tno basic auth credentials", 3, 20);
	assert_non_null(l);
	assert_string_equal(l, "wrong credentials from 10.0.2.2:5000: Head \"https://10.0.2.2:5000/v2/x\":  "
			       "no basic auth credentials (attempt 3, retry in 20 s)");
	free(l);
	l = pull_state_line("rancher/x:1", DOCKER_PULL_UNREACHABLE, "dial tcp: i/o timeout", 1, 5);
	assert_string_equal(l, "registry unreachable from docker.io: dial tcp: i/o timeout (attempt 1, retry in 5 s)");
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_join_the_services_but_etcd),
		cmocka_unit_test(a_missing_dir_adds_nothing),
		cmocka_unit_test(pull_backoff_doubles_to_five_minutes),
		cmocka_unit_test(a_failed_pull_is_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
