#include "etcd_container.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "fsutil.h"
#include "provision.h"
#include "strv.h"

#define CONTAINER "etcd"

int etcd_image_ensure(struct docker *d, const char *image, struct perr *err)
{
	char **names = NULL;
	size_t n = 0;
	int r = docker_image_exists(d, image, err);

	if (r != -ENOENT)
		return r;
	perr_clear(err);
	if ((r = dir_list_sorted(ROLE_IMAGES_DIR, ".tar", &names, &n, err)) < 0)
		return r;
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *p = path_join(ROLE_IMAGES_DIR, names[i]);
		double t0 = boot_seconds();
		r = p ? docker_image_load(d, p, err) : perr_set(err, -ENOMEM, "out of memory");
		if (r == 0)
			console_line("image %s loaded in %.1f s %.2f", names[i], boot_seconds() - t0, boot_seconds());
		free(p);
	}
	strv_free(names);
	if (r == 0 && (r = docker_image_exists(d, image, err)) == -ENOENT)
		r = perr_set(err, -ENOENT, "image %s is neither in System Docker nor bundled in %s", image,
			     ROLE_IMAGES_DIR);
	return r;
}

int etcd_data_prepare(const struct etcd_conf *c, bool *ret_has_data, struct perr *err)
{
	struct stat st;
	char *member = path_join(c->data_dir, "member");
	int r = 0;

	if (!member)
		return perr_set(err, -ENOMEM, "out of memory");
	if (mkdir_p(c->data_dir, 0700, err) < 0)
		r = -EIO;
	else if (c->has_user && chown(c->data_dir, c->uid, c->gid) < 0)
		r = perr_set(err, -errno, "%s: chown %u:%u: %s", c->data_dir, c->uid, c->gid, strerror(errno));
	else if (chmod(c->data_dir, 0700) < 0)
		r = perr_set(err, -errno, "%s: chmod: %s", c->data_dir, strerror(errno));
	*ret_has_data = r == 0 && stat(member, &st) == 0 && S_ISDIR(st.st_mode);
	free(member);
	return r;
}

int etcd_container_run(struct docker *d, const struct etcd_conf *c, struct perr *err)
{
	char *body = NULL, *id = NULL;
	int r = docker_container_remove(d, CONTAINER, true, err);

	if (r < 0 && r != -ENOENT)
		return r;
	perr_clear(err);
	if (!(body = svcconf_create_json(&c->sc)))
		return perr_set(err, -ENOMEM, "out of memory");
	r = docker_container_create(d, CONTAINER, body, &id, err);
	if (r == 0)
		r = docker_container_start(d, id, err);
	free(body);
	free(id);
	return r;
}

int etcd_container_running(struct docker *d, int *ret_exit, struct perr *err)
{
	struct docker_state st = { 0 };
	int r = docker_container_inspect(d, CONTAINER, &st, err);

	if (r < 0)
		return r;
	r = st.running ? 1 : 0;
	*ret_exit = st.exit_code;
	docker_state_free(&st);
	return r;
}
