#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "image/daemon_json.h"
#include "json.h"

static void defaults_are_safe(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct json *j = NULL;
	char *s = NULL;

	assert_int_equal(daemon_json_system(NULL, &s, &e), 0);
	assert_int_equal(json_parse(s, strlen(s), &j, &e), 0);
	const struct json *hosts = json_get(j, "hosts");
	assert_string_equal(hosts->child->str, "unix:///var/run/system-docker.sock");
	assert_null(hosts->child->next); /* no TCP socket */
	assert_string_equal(json_str_at(j, "storage-driver"), "overlay2");
	assert_false(json_bool_at(j, "live-restore", true));
	assert_false(json_bool_at(j, "iptables", true));
	assert_string_equal(json_str_at(j, "data-root"), "/var/lib/system-docker");
	assert_string_equal(json_str_at(j, "exec-root"), "/var/run/system-docker");
	assert_string_equal(json_path(j, "log-opts.max-size")->str, "10m");
	json_free(j);
	free(s);
}

static void mirrors_are_checked(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct json *j = NULL;
	char *s = NULL;
	char *good[] = { "https://mirror.example:5000", "http://10.0.0.9:5000", NULL };
	char *bad[] = { "mirror.example:5000", NULL };
	struct daemon_opts o = { .registry_mirrors = good, .log_max_file = 5 };

	assert_int_equal(daemon_json_system(&o, &s, &e), 0);
	assert_int_equal(json_parse(s, strlen(s), &j, &e), 0);
	assert_string_equal(json_get(j, "registry-mirrors")->child->next->str, "http://10.0.0.9:5000");
	assert_string_equal(json_path(j, "log-opts.max-file")->str, "5");
	json_free(j);
	free(s);
	o.registry_mirrors = bad;
	assert_int_equal(daemon_json_system(&o, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "mirror.example:5000"));
	perr_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_safe),
		cmocka_unit_test(mirrors_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
