#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "image/sysimages.h"
#include "image/appliance.h"
#include "strv.h"

static const struct appl_file *find(const struct appl_files *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].path, path))
			return &f->v[i];
	return NULL;
}

static void single_node_gets_services_and_daemon_json(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct os_services s = { 0 };
	struct plan *p = NULL;
	struct appl_files f = { 0 };

	assert_int_equal(appliance_services(".", &s, &e), 0);
	assert_int_equal(plan_load("configs/single-node.yml", &p, NULL, &e), 0);
	assert_int_equal(appliance_node_files(p, 0, &s, &f, &e), 0);
	const struct appl_file *docker = NULL, *syslog = NULL, *sshd = NULL;
	for (size_t i = 0; i < f.n; i++) {
		if (strstr(f.v[i].path, "/etc/paddock/services/") && strstr(f.v[i].path, "-docker.conf"))
			docker = &f.v[i];
		if (strstr(f.v[i].path, "/etc/paddock/services/") && strstr(f.v[i].path, "-syslog.conf"))
			syslog = &f.v[i];
		if (strstr(f.v[i].path, "/etc/paddock/services/") && strstr(f.v[i].path, "-sshd.conf"))
			sshd = &f.v[i];
	}
	assert_non_null(syslog);
	assert_non_null(docker); /* the example node is a worker */
	assert_non_null(strstr(docker->data, "image=paddock/docker:1\n"));
	/* OpenSSH gets the node's /etc/ssh and accounts (pki/ssh.h), read-only,
	 * and sees neither the host's processes nor System Docker */
	assert_non_null(sshd);
	assert_non_null(strstr(sshd->data, "\ncommand=/usr/sbin/sshd\ncommand=-D\ncommand=-e\n"));
	assert_non_null(strstr(sshd->data, "\nvolume=/etc/ssh:/etc/ssh:ro\n"));
	assert_non_null(strstr(sshd->data, "\nvolume=/etc/shadow:/etc/shadow:ro\n"));
	assert_non_null(strstr(sshd->data, "\npid=private\n"));
	assert_null(strstr(sshd->data, "system-docker.sock"));
	assert_null(find(&f, "/etc/paddock/ssh/authorized_keys"));
	assert_non_null(find(&f, "/etc/paddock/system-docker.json"));
	assert_non_null(find(&f, "/etc/paddock/ntpd.conf"));
	appl_files_free(&f);
	plan_free(p);
	os_services_free(&s);
}

static void image_tags_come_from_the_lists(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char **tags = NULL;
	size_t n = 0;

	assert_int_equal(sysimages_tags("os-services/images", &tags, &e), 0);
	for (char **t = tags; *t; t++)
		n++;
	assert_int_equal(n, 4);
	strv_free(tags);
	assert_int_not_equal(sysimages_tags("/nonexistent", &tags, &e), 0);
	perr_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_node_gets_services_and_daemon_json),
		cmocka_unit_test(image_tags_come_from_the_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
