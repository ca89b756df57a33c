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

static void single_node_gets_services_daemon_json_and_key(void **state)
{
	(void)state;
	char home[] = "/tmp/paddock-appl-XXXXXX", path[128];
	struct perr e = PERR_INIT;
	struct os_services s = { 0 };
	struct plan *p = NULL;
	struct appl_files f = { 0 };
	char *warn = NULL, *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	FILE *fp;

	assert_non_null(mkdtemp(home));
	snprintf(path, sizeof(path), "%s/.ssh", home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.ssh/id_ed25519.pub", home);
	fp = fopen(path, "w");
	fputs("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7e6bnsX4pTn1MJpCkXQD6eTgnKfQ1p7kgD5bX3T6qL test", fp);
	fclose(fp);
	setenv("HOME", home, 1);

	assert_int_equal(appliance_services(".", &s, &e), 0);
	assert_int_equal(plan_load("configs/single-node.yml", &p, NULL, &e), 0);
	assert_int_equal(appliance_node_files(p, 0, &s, &f, &warn, &e), 0);
	assert_null(warn);
	const struct appl_file *docker = NULL, *syslog = NULL;
	for (size_t i = 0; i < f.n; i++) {
		if (strstr(f.v[i].path, "/etc/paddock/services/") && strstr(f.v[i].path, "-docker.conf"))
			docker = &f.v[i];
		if (strstr(f.v[i].path, "/etc/paddock/services/") && strstr(f.v[i].path, "-syslog.conf"))
			syslog = &f.v[i];
	}
	assert_non_null(syslog);
	assert_non_null(docker); /* the example node is a worker */
	assert_non_null(strstr(docker->data, "image=paddock/docker:1\n"));
	const struct appl_file *key = find(&f, "/etc/paddock/ssh/authorized_keys");
	assert_non_null(key);
	assert_int_equal(key->mode, 0600);
	assert_int_equal(key->data[key->len - 1], '\n');
	assert_non_null(find(&f, "/etc/paddock/system-docker.json"));
	assert_non_null(find(&f, "/etc/paddock/ntpd.conf"));
	appl_files_free(&f);

	/* no public key: a warning, no authorized_keys */
	unlink(path);
	assert_int_equal(appliance_node_files(p, 0, &s, &f, &warn, &e), 0);
	assert_non_null(warn);
	assert_non_null(strstr(warn, "id_ed25519.pub"));
	assert_null(find(&f, "/etc/paddock/ssh/authorized_keys"));
	free(warn);
	appl_files_free(&f);

	/* something else in its place is an error */
	fp = fopen(path, "w");
	fputs("-----BEGIN OPENSSH PRIVATE KEY-----\n", fp);
	fclose(fp);
	assert_int_equal(appliance_node_files(p, 0, &s, &f, &warn, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not an OpenSSH public key"));
	perr_clear(&e);
	unlink(path);

	plan_free(p);
	os_services_free(&s);
	snprintf(path, sizeof(path), "%s/.ssh", home);
	rmdir(path);
	rmdir(home);
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_home);
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
		cmocka_unit_test(single_node_gets_services_daemon_json_and_key),
		cmocka_unit_test(image_tags_come_from_the_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
