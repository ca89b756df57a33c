#include "svcconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "strv.h"

const char *svc_restart_name(enum svc_restart r)
{
	return r == SVC_RESTART_NO ? "no" : r == SVC_RESTART_ON_FAILURE ? "on-failure" : "always";
}

int svc_restart_parse(const char *s, enum svc_restart *out)
{
	if (!strcmp(s, "always"))
		*out = SVC_RESTART_ALWAYS;
	else if (!strcmp(s, "on-failure"))
		*out = SVC_RESTART_ON_FAILURE;
	else if (!strcmp(s, "no"))
		*out = SVC_RESTART_NO;
	else
		return -EINVAL;
	return 0;
}

static char **collect(const struct nodecfg *c, const char *key)
{
	struct strv v = STRV_INIT;
	size_t pos = 0;
	const char *s;

	while ((s = nodecfg_next(c, key, &pos)))
		strv_add(&v, s);
	return strv_steal(&v);
}

static char *dup_or(const char *s, const char *def)
{
	return strdup(s ? s : def);
}

void svcconf_free(struct svcconf *s)
{
	free(s->name);
	free(s->image);
	free(s->user);
	free(s->net);
	free(s->pid);
	free(s->ipc);
	free(s->health);
	strv_free(s->command);
	strv_free(s->entrypoint);
	strv_free(s->volumes);
	strv_free(s->env);
	strv_free(s->depends_on);
	memset(s, 0, sizeof(*s));
}

int svcconf_from_nodecfg(const char *name, const struct nodecfg *c, struct svcconf *out,
			 struct perr *err)
{
	struct svcconf s = { 0 };
	const char *v;

	v = nodecfg_get(c, "name");
	if (!v || !*v)
		return perr_set(err, -EINVAL, "%s: no name", name);
	if (!nodecfg_get(c, "image") || !*nodecfg_get(c, "image"))
		return perr_set(err, -EINVAL, "%s: no image", name);
	s.name = strdup(v);
	s.image = strdup(nodecfg_get(c, "image"));
	s.user = dup_or(nodecfg_get(c, "user"), "");
	s.health = dup_or(nodecfg_get(c, "health"), "");
	s.net = dup_or(nodecfg_get(c, "net"), "host");
	s.pid = dup_or(nodecfg_get(c, "pid"), "private");
	s.ipc = dup_or(nodecfg_get(c, "ipc"), "private");
	s.command = collect(c, "command");
	s.entrypoint = collect(c, "entrypoint");
	s.volumes = collect(c, "volume");
	s.env = collect(c, "env");
	s.depends_on = collect(c, "depends_on");
	if (!s.name || !s.image || !s.user || !s.health || !s.net || !s.pid || !s.ipc || !s.command || !s.entrypoint ||
	    !s.volumes || !s.env || !s.depends_on) {
		svcconf_free(&s);
		return perr_set(err, -ENOMEM, "%s: out of memory", name);
	}
	v = nodecfg_get(c, "privileged");
	s.privileged = v && !strcmp(v, "true");
	v = nodecfg_get(c, "restart");
	if (v && svc_restart_parse(v, &s.restart) < 0) {
		svcconf_free(&s);
		return perr_set(err, -EINVAL, "%s: restart: unknown policy '%s'", name, v);
	}
	if (*s.health) {
		struct svc_health h;
		if (svc_health_parse(s.health, &h, err) < 0) {
			svcconf_free(&s);
			return perr_wrap(err, "%s: health", name);
		}
		svc_health_free(&h);
	}
	if (strcmp(s.net, "host") && strcmp(s.net, "none") && strcmp(s.net, "bridge")) {
		int r = perr_set(err, -EINVAL, "%s: net: expected host, none or bridge, not '%s'", name, s.net);
		svcconf_free(&s);
		return r;
	}
	*out = s;
	return 0;
}

int svcconf_load(const char *path, struct svcconf *out, struct perr *err)
{
	struct nodecfg c = { 0 };
	int r = nodecfg_load(path, &c, err);

	if (r == 0)
		r = svcconf_from_nodecfg(path, &c, out, err);
	nodecfg_free(&c);
	return r;
}

static void json_strv(struct strbuf *sb, const char *key, char **v)
{
	sb_printf(sb, ",\"%s\":", key);
	sb_json_strv(sb, v);
}

char *svcconf_create_json(const struct svcconf *s)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "{\"Image\":");
	sb_json_str(&sb, s->image);
	if (s->command[0])
		json_strv(&sb, "Cmd", s->command);
	if (s->entrypoint[0])
		json_strv(&sb, "Entrypoint", s->entrypoint);
	if (*s->user) {
		sb_adds(&sb, ",\"User\":");
		sb_json_str(&sb, s->user);
	}
	json_strv(&sb, "Env", s->env);
	sb_adds(&sb, ",\"Labels\":{\"io.paddock.service\":");
	sb_json_str(&sb, s->name);
	sb_adds(&sb, "},\"HostConfig\":{\"NetworkMode\":");
	sb_json_str(&sb, s->net);
	if (!strcmp(s->pid, "host"))
		sb_adds(&sb, ",\"PidMode\":\"host\"");
	if (!strcmp(s->ipc, "host"))
		sb_adds(&sb, ",\"IpcMode\":\"host\"");
	sb_printf(&sb, ",\"Privileged\":%s", s->privileged ? "true" : "false");
	json_strv(&sb, "Binds", s->volumes);
	/* init restarts services itself, with its own back-off */
	sb_adds(&sb, ",\"RestartPolicy\":{\"Name\":\"no\"}}}");
	return sb_steal(&sb);
}

static int add_all(struct nodecfg *out, const char *key, char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		if (nodecfg_add(out, key, v[i]) < 0)
			return -ENOMEM;
	return 0;
}

int svcconf_to_nodecfg(const struct svcconf *s, struct nodecfg *out)
{
	if (nodecfg_add(out, "name", s->name) < 0 || nodecfg_add(out, "image", s->image) < 0 ||
	    (s->user && *s->user && nodecfg_add(out, "user", s->user) < 0) ||
	    (s->health && *s->health && nodecfg_add(out, "health", s->health) < 0) ||
	    nodecfg_add(out, "privileged", s->privileged ? "true" : "false") < 0 ||
	    nodecfg_add(out, "net", s->net ? s->net : "host") < 0 ||
	    nodecfg_add(out, "pid", s->pid ? s->pid : "private") < 0 ||
	    nodecfg_add(out, "ipc", s->ipc ? s->ipc : "private") < 0 ||
	    nodecfg_add(out, "restart", svc_restart_name(s->restart)) < 0 ||
	    add_all(out, "command", s->command) < 0 || add_all(out, "entrypoint", s->entrypoint) < 0 ||
	    add_all(out, "volume", s->volumes) < 0 || add_all(out, "env", s->env) < 0 ||
	    add_all(out, "depends_on", s->depends_on) < 0)
		return -ENOMEM;
	return 0;
}

int svc_health_parse(const char *spec, struct svc_health *ret, struct perr *err)
{
	struct svc_health h = { 0 };
	const char *p = spec, *port, *banner;
	size_t pl;

	if (strncmp(p, "tcp ", 4))
		return perr_set(err, -EINVAL, "'%s': expected \"tcp PORT [BANNER]\"", spec);
	port = p + 4 + strspn(p + 4, " ");
	pl = strcspn(port, " ");
	banner = port + pl + strspn(port + pl, " ");
	if (!pl)
		return perr_set(err, -EINVAL, "'%s': no port", spec);
	if (strspn(port, "0123456789") == pl) {
		unsigned long v = pl <= 5 ? strtoul(port, NULL, 10) : 0;
		if (v < 1 || v > 65535)
			return perr_set(err, -EINVAL, "'%s': %.*s is not a TCP port (1-65535)", spec, (int)pl, port);
		h.port = (unsigned)v;
	} else if (strspn(port, "abcdefghijklmnopqrstuvwxyz0123456789._") != pl) {
		return perr_set(err, -EINVAL, "'%s': %.*s is neither a port nor a node.conf key", spec, (int)pl, port);
	} else if (!(h.port_key = strndup(port, pl))) {
		return perr_set(err, -ENOMEM, "out of memory");
	}
	if (!(h.banner = strdup(banner))) {
		svc_health_free(&h);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	*ret = h;
	return 0;
}

void svc_health_free(struct svc_health *h)
{
	free(h->port_key);
	free(h->banner);
	h->port_key = h->banner = NULL;
}
