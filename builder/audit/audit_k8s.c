/* audit_k8s: RBAC, audit logging, etcd's files and where images come from,
 * judged from the container specs baked into the node.
 *
 * Containers are svcconf files (lib/svcconf.h): the os-services in
 * /etc/paddock/services/, the role containers (etcd, kube-apiserver, ...)
 * in /etc/paddock/containers/.  The default private registry is node.conf's
 * registry.default (host[:port]), absent when the file sets none. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_check.h"
#include "svcconf.h"

#define ROLE_CONTAINERS "/etc/paddock/containers/*.conf"
#define OS_SERVICES SVCCONF_DIR "/*.conf"
#define REGISTRY_KEY "registry.default"
#define ETCD_FILES "/etc/kubernetes/ssl/kube-etcd-*.pem"
#define ETCD_KEYS "/etc/kubernetes/ssl/kube-etcd-*-key.pem"

struct containers {
	struct svcconf *v;
	size_t n, roles;        /* roles: how many came from ROLE_CONTAINERS */
};

static void containers_free(struct containers *c)
{
	for (size_t i = 0; i < c->n; i++)
		svcconf_free(&c->v[i]);
	free(c->v);
}

/* The container spec at path of the view. */
static int read_spec(const struct audit_view *view, const char *path, struct svcconf *ret, struct perr *err)
{
	const char *text = audit_view_text(view, path);
	struct nodecfg cfg = { 0 };
	int r = text ? nodecfg_parse(path, text, strlen(text), &cfg, err) : perr_set(err, -ENOENT, "not a file");
	if (r == 0)
		r = svcconf_from_nodecfg(path, &cfg, ret, err);
	nodecfg_free(&cfg);
	return r;
}

static void load_dir(const struct audit_view *view, const char *pattern, struct containers *c,
		     struct audit_verdict *v)
{
	char **paths = audit_view_glob(view, pattern);
	for (char **p = paths; p && *p; p++) {
		struct svcconf sc = { 0 };
		struct perr err = PERR_INIT;
		struct svcconf *nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
		if (nv)
			c->v = nv;
		if (!nv || read_spec(view, *p, &sc, &err) < 0)
			verdict_fail(v, "%s: %s", *p, err.msg ? err.msg : "cannot be read");
		else
			c->v[c->n++] = sc;
		perr_clear(&err);
	}
	strv_free(paths);
}

bool audit_os_service(const struct audit_view *view, const char *name, struct svcconf *ret)
{
	char pattern[256];
	snprintf(pattern, sizeof(pattern), "%s/*-%s.conf", SVCCONF_DIR, name);
	char **paths = audit_view_glob(view, pattern);
	bool found = false;
	for (char **p = paths; p && *p && !found; p++) {
		struct perr err = PERR_INIT;
		struct svcconf sc = { 0 };
		if (read_spec(view, *p, &sc, &err) == 0 && !strcmp(sc.name, name)) {
			*ret = sc;
			found = true;
		} else {
			svcconf_free(&sc);
		}
		perr_clear(&err);
	}
	strv_free(paths);
	return found;
}

static void load(const struct audit_view *view, struct containers *c, struct audit_verdict *v)
{
	load_dir(view, ROLE_CONTAINERS, c, v);
	c->roles = c->n;
	load_dir(view, OS_SERVICES, c, v);
}

static const struct svcconf *find(const struct containers *c, const char *name)
{
	for (size_t i = 0; i < c->roles; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	return NULL;
}

/* The value of --flag in the container's command or entrypoint ("--f=v"
 * or "--f v"); "" for a bare flag, NULL when absent. */
static const char *flag(const struct svcconf *s, const char *name)
{
	size_t n = strlen(name);
	char **lists[] = { s->entrypoint, s->command };
	for (int k = 0; k < 2; k++)
		for (char **a = lists[k]; a && *a; a++) {
			if (strncmp(*a, name, n))
				continue;
			if ((*a)[n] == '=')
				return *a + n + 1;
			if (!(*a)[n])
				return a[1] && a[1][0] != '-' ? a[1] : "";
		}
	return NULL;
}

/* The node's kube-apiserver, or NULL with the verdict set (skipped on a
 * node without the controlplane role). */
static const struct svcconf *apiserver(const struct audit_subject *s, const struct containers *c,
				       struct audit_verdict *v)
{
	if (!audit_view_has_role(s->view, "controlplane")) {
		verdict_skip(v, "not a controlplane node");
		return NULL;
	}
	const struct svcconf *a = find(c, "kube-apiserver");
	if (!a)
		verdict_missing(v, "no kube-apiserver container in the node's layers (%s)", ROLE_CONTAINERS);
	return a;
}

void audit_rbac(const struct audit_subject *s, struct audit_verdict *v)
{
	struct containers c = { 0 };
	load(s->view, &c, v);
	const struct svcconf *a = apiserver(s, &c, v);
	const char *mode = a ? flag(a, "--authorization-mode") : NULL;
	if (a && !mode) {
		verdict_fail(v, "kube-apiserver has no --authorization-mode (AlwaysAllow)");
	} else if (a) {
		char *copy = strdup(mode), *save = NULL;
		bool rbac = false;
		for (char *m = copy ? strtok_r(copy, ",", &save) : NULL; m; m = strtok_r(NULL, ",", &save)) {
			rbac |= !strcmp(m, "RBAC");
			if (!strcmp(m, "AlwaysAllow"))
				verdict_fail(v, "--authorization-mode=%s allows every request", mode);
		}
		free(copy);
		if (!rbac)
			verdict_fail(v, "--authorization-mode=%s has no RBAC", mode);
		verdict_note(v, "kube-apiserver --authorization-mode=%s", mode);
	}
	containers_free(&c);
}

/* Whether path lies in a directory bound from the host: a volume's
 * target ("SRC:DST[:opts]") or below it. */
static bool on_host_volume(const struct svcconf *s, const char *path)
{
	for (char **v = s->volumes; v && *v; v++) {
		const char *dst = strchr(*v, ':');
		if (!dst++)
			continue;
		size_t n = strcspn(dst, ":");
		while (n > 1 && dst[n - 1] == '/')
			n--;
		if (n && !strncmp(path, dst, n) && (path[n] == '/' || (n == 1 && *dst == '/')))
			return true;
	}
	return false;
}

void audit_audit_log(const struct audit_subject *s, struct audit_verdict *v)
{
	static const char *const needed[] = { "--audit-log-path", "--audit-log-maxage", "--audit-log-maxbackup",
					      "--audit-log-maxsize", NULL };
	struct containers c = { 0 };
	load(s->view, &c, v);
	const struct svcconf *a = apiserver(s, &c, v);
	const char *policy = a ? flag(a, "--audit-policy-file") : NULL;
	if (a && (!policy || !*policy)) {
		verdict_fail(v, "audit logging is off: kube-apiserver has no --audit-policy-file");
	} else if (a) {
		const struct audit_file *f = audit_view_get(s->view, policy);
		if (!f || !S_ISREG(f->mode))
			verdict_missing(v, "audit policy %s", policy);
		else if (f->mode & 077)
			verdict_fail(v, "%s is %04o, not 0600", policy, (unsigned)(f->mode & 07777));
		else if (f->size == 0)
			verdict_fail(v, "%s is empty", policy);
		for (size_t i = 0; needed[i]; i++)
			if (!flag(a, needed[i]) || !*flag(a, needed[i]))
				verdict_fail(v, "kube-apiserver has no %s", needed[i]);
		const char *log = flag(a, "--audit-log-path");
		/* the log belongs on the state disk, not in the container's own layer */
		if (log && *log == '/' && !on_host_volume(a, log))
			verdict_fail(v, "the audit log %s is on no volume from the host: it goes with the container", log);
		verdict_note(v, "policy %s 0600, log %s", policy, flag(a, "--audit-log-path"));
	}
	containers_free(&c);
}

/* "uid:gid" (both numbers) of a container's user; false if it has none. */
static bool numeric_user(const char *user, unsigned *uid, unsigned *gid)
{
	char *end;
	if (!user || !*user)
		return false;
	unsigned long u = strtoul(user, &end, 10), g = u;
	if (end == user || (*end && *end != ':'))
		return false;
	if (*end == ':') {
		const char *gs = end + 1;
		g = strtoul(gs, &end, 10);
		if (end == gs || *end)
			return false;
	}
	*uid = (unsigned)u;
	*gid = (unsigned)g;
	return true;
}

void audit_etcd_files(const struct audit_subject *s, struct audit_verdict *v)
{
	struct containers c = { 0 };
	char **files = NULL, **keys = NULL;
	if (!audit_view_has_role(s->view, "etcd")) {
		verdict_skip(v, "not an etcd node");
		return;
	}
	load(s->view, &c, v);
	const struct svcconf *etcd = find(&c, "etcd");
	unsigned uid = 0, gid = 0;
	bool dedicated = etcd && numeric_user(etcd->user, &uid, &gid) && uid != 0;
	if (!etcd)
		verdict_missing(v, "no etcd container in the node's layers (%s)", ROLE_CONTAINERS);
	else if (etcd->user && *etcd->user && !dedicated)
		verdict_fail(v, "etcd runs as %s, not a numeric uid:gid of its own", etcd->user);
	files = audit_view_glob(s->view, ETCD_FILES);
	keys = audit_view_glob(s->view, ETCD_KEYS);
	if (!keys || !*keys)
		verdict_missing(v, "no etcd key (%s)", ETCD_KEYS);
	size_t n = 0;
	for (char **p = files; p && *p; p++, n++) {
		const struct audit_file *f = audit_view_get(s->view, *p);
		if (dedicated && (f->uid != uid || f->gid != gid))
			verdict_fail(v, "%s is owned by %u:%u, not etcd's %u:%u", *p, f->uid, f->gid, uid, gid);
		if (f->mode & 077)
			verdict_fail(v, "%s is %04o, not 0600", *p, (unsigned)(f->mode & 07777));
	}
	if (dedicated)
		verdict_note(v, "%zu etcd certificate/key file(s) owned by %u:%u, 0600", n, uid, gid);
	else
		verdict_note(v, "%zu etcd certificate/key file(s) 0600; etcd runs as root", n);
	strv_free(files);
	strv_free(keys);
	containers_free(&c);
}

void audit_registry(const struct audit_subject *s, struct audit_verdict *v)
{
	struct containers c = { 0 };
	load(s->view, &c, v);
	const char *reg = nodecfg_get(&s->view->cfg, REGISTRY_KEY);
	size_t bundled = 0, pulled = 0;
	if (c.roles == 0)
		verdict_missing(v, "no role containers in the node's layers (%s)", ROLE_CONTAINERS);
	for (size_t i = 0; i < c.n; i++) {
		const char *img = c.v[i].image;
		size_t rl = reg ? strlen(reg) : 0;
		if (audit_view_bundles(s->view, img))
			bundled++;
		else if (!reg || (!strncmp(img, reg, rl) && img[rl] == '/'))
			pulled++;
		else
			verdict_fail(v, "%s runs %s, not from the default registry %s", c.v[i].name, img, reg);
	}
	if (reg)
		verdict_note(v, "%zu image(s) from %s, %zu bundled in the image", pulled, reg, bundled);
	else
		verdict_note(v, "no default registry set; %zu image(s) pulled as named, %zu bundled", pulled, bundled);
	containers_free(&c);
}
