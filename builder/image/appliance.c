#include "image/appliance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "image/daemon_json.h"
#include "image/sysimages.h"
#include "strv.h"

int appliance_services(const char *root, struct os_services *out, struct perr *err)
{
	char *sdir = NULL, *idir = NULL, **tags = NULL;
	int r;

	if (asprintf(&sdir, "%s/%s", root, OS_SERVICES_DIR) < 0 || asprintf(&idir, "%s/%s", root, SYSIMAGES_DIR) < 0) {
		free(sdir);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	r = sysimages_tags(idir, &tags, err);
	if (r == 0)
		r = os_services_load(sdir, (const char *const *)tags, out, err);
	strv_free(tags);
	free(sdir);
	free(idir);
	return r;
}

static int add(struct appl_files *f, const char *path, char *data, size_t len, mode_t mode)
{
	return appl_files_add(f, path, data, len, mode, 0, 0);
}

int appliance_node_files(const struct plan *p, size_t i, const struct os_services *s,
			 struct appl_files *out, struct perr *err)
{
	const struct plan_node *n = plan_node_at(p, i);
	struct appl_files f = { 0 };
	struct baked_file *baked = NULL;
	size_t nb = 0;
	char *json = NULL, *ntp;
	int r;

	if ((r = os_services_bake(s, n->roles, &baked, &nb, err)) < 0)
		return perr_wrap(err, "node %s", n->name);
	for (size_t k = 0; r == 0 && k < nb; k++) {
		if (add(&f, baked[k].path, baked[k].data, baked[k].len, 0644) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else
			baked[k].data = NULL;
	}
	baked_files_free(baked, nb);
	struct daemon_opts dopts = { .registry_mirrors = plan_cluster(p)->paddock.registry_mirrors.v };
	if (r == 0 && (r = daemon_json_system(&dopts, &json, err)) == 0) {
		if (add(&f, "/etc/paddock/system-docker.json", json, strlen(json), 0644) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		json = NULL;
	}
	/* Upstream NTP servers come with their own cluster.yml key; until then
	 * ntpd serves the node's clock locally and sends nothing out. */
	ntp = strdup("# written by paddock build\nlisten on 127.0.0.1\n");
	if (r == 0) {
		if (!ntp || add(&f, "/etc/paddock/ntpd.conf", ntp, strlen(ntp), 0644) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else
			ntp = NULL;
	}
	free(ntp);
	free(json);
	if (r < 0) {
		appl_files_free(&f);
		return r;
	}
	*out = f;
	return 0;
}
