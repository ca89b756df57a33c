#include "etcd_oneshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "strv.h"

#define SNAPSHOT_BIND SNAPSHOT_DIR ":" SNAPSHOT_DIR

int etcd_oneshot(struct docker *d, const struct etcd_conf *ec, const char *name, char *const argv[],
		 int *ret_code, char **ret_out, struct perr *err)
{
	char *none[] = { NULL };
	struct strv bv = STRV_INIT;
	char **binds;
	struct svcconf s = { 0 };
	char *body = NULL, *id = NULL;
	size_t len = 0;
	int r;

	*ret_out = NULL;
	*ret_code = -1;
	for (size_t i = 0; ec->sc.volumes[i]; i++)
		strv_add(&bv, ec->sc.volumes[i]);
	strv_add(&bv, SNAPSHOT_BIND);
	if (!(binds = strv_steal(&bv)))
		return perr_set(err, -ENOMEM, "out of memory");
	s.name = (char *)name;
	s.image = ec->sc.image;
	s.user = "0:0";
	s.net = ec->sc.net && *ec->sc.net ? ec->sc.net : "host";
	s.pid = s.ipc = "";
	s.command = (char **)argv;
	s.entrypoint = s.depends_on = none;
	s.volumes = binds;
	s.env = ec->sc.env;
	body = svcconf_create_json(&s);
	strv_free(binds);
	if (!body)
		return perr_set(err, -ENOMEM, "out of memory");
	if ((r = docker_container_remove(d, name, true, err)) < 0 && r != -ENOENT) {
		free(body);
		return r;
	}
	perr_clear(err);
	r = docker_container_create(d, name, body, &id, err);
	free(body);
	if (r == 0)
		r = docker_container_start(d, id, err);
	if (r == 0)
		r = docker_container_wait(d, id, ret_code, err);
	if (r == 0)
		r = docker_container_logs(d, id, 0, ret_out, &len, err);
	if (id) {
		struct perr rerr = PERR_INIT;
		docker_container_remove(d, id, true, &rerr);
		perr_clear(&rerr);
	}
	free(id);
	return r;
}

const char *oneshot_last_line(const char *out, char *buf, size_t size)
{
	const char *best = NULL, *line = out;
	size_t blen = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (len) {
			best = line;
			blen = len;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!best)
		return "no output";
	if (blen >= size)
		blen = size - 1;
	memcpy(buf, best, blen);
	buf[blen] = '\0';
	return buf;
}
