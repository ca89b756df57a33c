#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "image/os_services.h"
#include "plan/plan.h"

static const char *const images[] = { "paddock/base:1", "paddock/sshd:1", NULL };

static int parse_one(const char *text, struct os_service *o, struct perr *e)
{
	return os_service_parse("svc.yml", text, strlen(text), o, e);
}

static void parses_a_full_definition(void **state)
{
	(void)state;
	struct os_service o;
	struct perr e = PERR_INIT;
	const char *y = "name: sshd\nimage: paddock/sshd:1\ncommand: [/usr/sbin/sshd, -D]\n"
			"user: \"0:0\"\nprivileged: true\nnet: host\npid: host\nvolumes:\n  - /a:/b:ro\n"
			"env: [A=1]\nrestart: on-failure\ndepends_on: syslog\nroles: [worker, etcd]\n"
			"health: tcp node.ssh_port SSH-\n";
	assert_int_equal(parse_one(y, &o, &e), 0);
	assert_string_equal(o.conf.name, "sshd");
	assert_string_equal(o.conf.command[1], "-D");
	assert_null(o.conf.command[2]);
	assert_true(o.conf.privileged);
	assert_string_equal(o.conf.pid, "host");
	assert_string_equal(o.conf.ipc, "private");
	assert_string_equal(o.conf.depends_on[0], "syslog");
	assert_int_equal(o.conf.restart, SVC_RESTART_ON_FAILURE);
	assert_int_equal(o.roles, PLAN_ROLE_WORKER | PLAN_ROLE_ETCD);
	assert_string_equal(o.conf.health, "tcp node.ssh_port SSH-");
	/* baked as init reads it back */
	struct nodecfg c = { 0 };
	struct svcconf back;
	assert_int_equal(svcconf_to_nodecfg(&o.conf, &c), 0);
	assert_int_equal(svcconf_from_nodecfg("sshd.conf", &c, &back, &e), 0);
	assert_string_equal(back.health, "tcp node.ssh_port SSH-");
	svcconf_free(&back);
	nodecfg_free(&c);
	svcconf_free(&o.conf);
	free(o.file);
}

static void bad_definitions_name_the_line(void **state)
{
	(void)state;
	static const struct { const char *yaml; int line, col; const char *msg; } cases[] = {
		{ "name: a\nimage: paddock/base:1\ncomand: [x]\n", 3, 1, "did you mean 'command'" },
		{ "name: a\nimage: paddock/base:1\nbogus: 1\n", 3, 1, "unknown key 'bogus'" },
		{ "name: a\n", 1, 1, "missing key 'image'" },
		{ "image: x\n", 1, 1, "missing key 'name'" },
		{ "name: a\nimage: x\nnet: wifi\n", 3, 6, "unknown value 'wifi'" },
		{ "name: a\nimage: x\nprivileged: maybe\n", 3, 13, "expected true or false" },
		{ "name: a\nimage: x\nroles: [etcd, db]\n", 3, 8, "unknown role 'db'" },
		{ "name: a\nimage: x\nvolumes: [relative:/x]\n", 3, 10, "not /SRC:/DST" },
		{ "name: A b\nimage: x\n", 1, 7, "not a valid service name" },
		{ "name: a\nimage: [x]\n", 2, 8, "expected a string" },
		{ "name: a\nimage: x\nname: b\n", 3, 1, "duplicate key" },
		{ "name: a\n  image: x: y\n", 2, 0, "" },
		{ "- a\n", 1, 1, "expected a mapping" },
		{ "name: a\nimage: x\nhealth: http 80\n", 3, 9, "health: 'http 80': expected" },
		{ "name: a\nimage: x\nhealth: tcp 99999 SSH-\n", 3, 9, "not a TCP port" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct os_service o;
		struct perr e = PERR_INIT;
		assert_int_not_equal(parse_one(cases[i].yaml, &o, &e), 0);
		if (!strstr(e.msg, cases[i].msg) || e.line != cases[i].line ||
		    (cases[i].col && e.col != cases[i].col))
			fail_msg("case %zu: got %d:%d %s", i, e.line, e.col, e.msg);
		assert_string_equal(e.file, "svc.yml");
		perr_clear(&e);
	}
}

static void add(struct os_services *s, const char *name, const char *yaml)
{
	struct perr e = PERR_INIT;
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	assert_int_equal(os_service_parse(name, yaml, strlen(yaml), &s->v[s->n], &e), 0);
	s->n++;
}

static void checks_images_dependencies_and_cycles(void **state)
{
	(void)state;
	struct os_services s = { 0 };
	struct perr e = PERR_INIT;

	add(&s, "b.yml", "name: b\nimage: paddock/base:1\ndepends_on: [a]\n");
	add(&s, "a.yml", "name: a\nimage: paddock/base:1\n");
	add(&s, "c.yml", "name: c\nimage: paddock/sshd:1\ndepends_on: [b, a]\n");
	assert_int_equal(os_services_check(&s, images, &e), 0);
	assert_string_equal(s.v[0].conf.name, "a"); /* dependencies first */
	assert_string_equal(s.v[1].conf.name, "b");
	assert_string_equal(s.v[2].conf.name, "c");
	os_services_free(&s);

	add(&s, "x.yml", "name: x\n\nimage: paddock/nope:1\n");
	assert_int_equal(os_services_check(&s, images, &e), -ENOENT);
	assert_string_equal(e.file, "x.yml");
	assert_int_equal(e.line, 3);
	assert_int_equal(e.col, 8);
	assert_non_null(strstr(e.msg, "'paddock/nope:1' is not a bundled image"));
	perr_clear(&e);
	os_services_free(&s);

	add(&s, "x.yml", "name: x\nimage: paddock/base:1\ndepends_on: [ghost]\n");
	assert_int_equal(os_services_check(&s, images, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "unknown service 'ghost'"));
	perr_clear(&e);
	os_services_free(&s);

	add(&s, "p.yml", "name: p\nimage: paddock/base:1\ndepends_on: [q]\n");
	add(&s, "q.yml", "name: q\nimage: paddock/base:1\ndepends_on: [r]\n");
	add(&s, "r.yml", "name: r\nimage: paddock/base:1\ndepends_on: [p]\n");
	assert_int_equal(os_services_check(&s, images, &e), -ELOOP);
	assert_non_null(strstr(e.msg, "cycle"));
	assert_int_equal(e.line, 1);
	perr_clear(&e);
	os_services_free(&s);

	add(&s, "d1.yml", "name: d\nimage: paddock/base:1\n");
	add(&s, "d2.yml", "name: d\nimage: paddock/base:1\n");
	assert_int_equal(os_services_check(&s, images, &e), -EEXIST);
	assert_string_equal(e.file, "d2.yml");
	perr_clear(&e);
	os_services_free(&s);
}

static void bakes_per_role_in_dependency_order(void **state)
{
	(void)state;
	struct os_services s = { 0 };
	struct perr e = PERR_INIT;
	struct baked_file *f = NULL;
	size_t n = 0;

	add(&s, "a.yml", "name: syslog\nimage: paddock/base:1\ncommand: [/sbin/syslogd, -n]\n");
	add(&s, "b.yml", "name: docker\nimage: paddock/base:1\nroles: [worker]\ndepends_on: [syslog]\n");
	add(&s, "c.yml", "name: tool\nimage: paddock/base:1\nroles: [etcd]\ndepends_on: [docker]\n");
	assert_int_equal(os_services_check(&s, images, &e), 0);

	assert_int_equal(os_services_bake(&s, PLAN_ROLE_WORKER, &f, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].path, "/etc/paddock/services/10-syslog.conf");
	assert_string_equal(f[1].path, "/etc/paddock/services/20-docker.conf");
	assert_non_null(strstr(f[0].data, "command=/sbin/syslogd\ncommand=-n\n"));
	baked_files_free(f, n);

	/* an etcd-only node would get tool but not the docker it needs */
	assert_int_equal(os_services_bake(&s, PLAN_ROLE_ETCD, &f, &n, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "depends on 'docker'"));
	perr_clear(&e);
	os_services_free(&s);
}

/* ten services or more: file names still sort in baking order */
static void bakes_names_that_sort_as_numbers(void **state)
{
	(void)state;
	struct os_services s = { 0 };
	struct perr e = PERR_INIT;
	struct baked_file *f = NULL;
	size_t n = 0;

	for (int i = 0; i < 12; i++) {
		char file[16], text[96];
		snprintf(file, sizeof(file), "s%02d.yml", i);
		snprintf(text, sizeof(text), "name: s%02d\nimage: paddock/base:1\n%s", i,
			 i ? "depends_on: [s00]\n" : "");
		add(&s, file, text);
	}
	assert_int_equal(os_services_check(&s, images, &e), 0);
	assert_int_equal(os_services_bake(&s, PLAN_ROLE_WORKER, &f, &n, &e), 0);
	assert_int_equal(n, 12);
	assert_string_equal(f[0].path, "/etc/paddock/services/010-s00.conf");
	assert_string_equal(f[9].path, "/etc/paddock/services/100-s09.conf");
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(f[i - 1].path, f[i].path) < 0);
	baked_files_free(f, n);
	os_services_free(&s);
}

static void bundled_definitions_are_valid(void **state)
{
	(void)state;
	static const char *const bundled[] = { "paddock/syslog:1", "paddock/ntp:1", "paddock/sshd:1",
					       "paddock/docker:1", NULL };
	struct os_services s = { 0 };
	struct perr e = PERR_INIT;
	struct baked_file *f = NULL;
	size_t n = 0;
	int r = os_services_load("os-services", bundled, &s, &e);

	if (r < 0)
		fail_msg("%s:%d: %s", e.file ? e.file : "", e.line, e.msg);
	assert_true(s.n >= 4);
	assert_int_equal(os_services_bake(&s, PLAN_ROLE_WORKER | PLAN_ROLE_ETCD, &f, &n, &e), 0);
	assert_int_equal(n, s.n);
	baked_files_free(f, n);
	assert_int_equal(os_services_bake(&s, PLAN_ROLE_ETCD, &f, &n, &e), 0);
	assert_int_equal(n, s.n - 1); /* no user Docker */
	baked_files_free(f, n);
	os_services_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_full_definition),
		cmocka_unit_test(bad_definitions_name_the_line),
		cmocka_unit_test(checks_images_dependencies_and_cycles),
		cmocka_unit_test(bakes_per_role_in_dependency_order),
		cmocka_unit_test(bakes_names_that_sort_as_numbers),
		cmocka_unit_test(bundled_definitions_are_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
