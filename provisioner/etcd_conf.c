#include "etcd_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "strv.h"

const char *etcd_flag(const struct svcconf *sc, const char *name)
{
	size_t n = strlen(name);

	for (char **a = sc->command; *a; a++)
		if (!strncmp(*a, "--", 2) && !strncmp(*a + 2, name, n) && (*a)[2 + n] == '=')
			return *a + 3 + n;
	return NULL;
}

int etcd_flag_set(struct svcconf *sc, const char *name, const char *value)
{
	size_t n = strlen(name), count = 0;
	char *arg = NULL, **grown;

	if (asprintf(&arg, "--%s=%s", name, value) < 0)
		return -ENOMEM;
	for (char **a = sc->command; *a; a++, count++)
		if (!strncmp(*a, "--", 2) && !strncmp(*a + 2, name, n) && (*a)[2 + n] == '=') {
			free(*a);
			*a = arg;
			return 0;
		}
	if (!(grown = realloc(sc->command, (count + 2) * sizeof(*grown)))) {
		free(arg);
		return -ENOMEM;
	}
	sc->command = grown;
	grown[count] = arg;
	grown[count + 1] = NULL;
	return 0;
}

void etcd_peers_free(struct etcd_peer *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].peer_url);
		free(v[i].client_url);
	}
	free(v);
}

/* "https://h:2380" -> "https://h:2379" (the same host, etcd's client port). */
static char *client_of(const char *peer)
{
	const char *host = strstr(peer, "://"), *colon;
	char *out = NULL;

	host = host ? host + 3 : peer;
	colon = strrchr(host, ':');
	if (colon && !strchr(colon, ']')) {
		if (asprintf(&out, "%.*s:2379", (int)(colon - peer), peer) < 0)
			return NULL;
	} else if (asprintf(&out, "%s:2379", peer) < 0) {
		return NULL;
	}
	return out;
}

int etcd_peers_parse(const char *ic, struct etcd_peer **ret, size_t *ret_n, struct perr *err)
{
	struct etcd_peer *v = NULL;
	size_t n = 0;
	const char *p = ic;

	while (p && *p) {
		const char *end = strchr(p, ','), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct etcd_peer *g;
		eq = memchr(p, '=', len);
		if (!eq || eq == p || eq + 1 == p + len) {
			etcd_peers_free(v, n);
			return perr_set(err, -EINVAL, "--initial-cluster: '%.*s' is not NAME=PEER-URL", (int)len, p);
		}
		if (!(g = realloc(v, (n + 1) * sizeof(*g)))) {
			etcd_peers_free(v, n);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		v = g;
		v[n].name = strndup(p, (size_t)(eq - p));
		v[n].peer_url = strndup(eq + 1, len - (size_t)(eq - p) - 1);
		v[n].client_url = v[n].peer_url ? client_of(v[n].peer_url) : NULL;
		n++;
		if (!v[n - 1].name || !v[n - 1].peer_url || !v[n - 1].client_url) {
			etcd_peers_free(v, n);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		p = end ? end + 1 : NULL;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Length of s without trailing '/' (but "/" stays "/"). */
static size_t trimmed(const char *s, size_t len)
{
	while (len > 1 && s[len - 1] == '/')
		len--;
	return len;
}

char *etcd_host_path(const struct svcconf *sc, const char *cpath)
{
	size_t cl = trimmed(cpath, strlen(cpath));

	for (char **b = sc->volumes; *b; b++) {
		const char *c1 = strchr(*b, ':'), *c2;
		size_t sl, dl;
		char *out = NULL;
		if (!c1)
			continue;
		c2 = strchr(c1 + 1, ':');
		sl = trimmed(*b, (size_t)(c1 - *b));
		dl = trimmed(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1));
		if (cl < dl || strncmp(cpath, c1 + 1, dl) || (cl > dl && cpath[dl] != '/' && dl > 1))
			continue;
		if (sl == 1 && cl > dl)
			sl = 0; /* "/" bound: the rest brings its own '/' */
		if (asprintf(&out, "%.*s%.*s", (int)sl, *b, (int)(cl - dl), cpath + dl) < 0)
			return NULL;
		return out;
	}
	return NULL;
}

void etcd_conf_free(struct etcd_conf *c)
{
	svcconf_free(&c->sc);
	free(c->name);
	free(c->data_dir);
	free(c->ca);
	free(c->cert);
	free(c->key);
	etcd_peers_free(c->peers, c->npeers);
	memset(c, 0, sizeof(*c));
}

static int need_path(const struct svcconf *sc, const char *flag, char **out, struct perr *err)
{
	const char *v = etcd_flag(sc, flag);

	if (!v)
		return perr_set(err, -EINVAL, "etcd: no --%s", flag);
	if (!(*out = etcd_host_path(sc, v)))
		return perr_set(err, -EINVAL, "etcd: --%s=%s is in no bound folder", flag, v);
	return 0;
}

int etcd_conf_from(struct svcconf *sc, struct etcd_conf *out, struct perr *err)
{
	const char *name, *ic;
	int r;

	memset(out, 0, sizeof(*out));
	out->sc = *sc;
	memset(sc, 0, sizeof(*sc));
	if (!(name = etcd_flag(&out->sc, "name")) || !(ic = etcd_flag(&out->sc, "initial-cluster"))) {
		r = perr_set(err, -EINVAL, "etcd: --name and --initial-cluster are required");
		goto fail;
	}
	if (!(out->name = strdup(name))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = need_path(&out->sc, "data-dir", &out->data_dir, err)) < 0 ||
	    (r = need_path(&out->sc, "trusted-ca-file", &out->ca, err)) < 0 ||
	    (r = need_path(&out->sc, "cert-file", &out->cert, err)) < 0 ||
	    (r = need_path(&out->sc, "key-file", &out->key, err)) < 0 ||
	    (r = etcd_peers_parse(ic, &out->peers, &out->npeers, err)) < 0)
		goto fail;
	if (out->sc.user && *out->sc.user) {
		char *end = NULL;
		unsigned long u = strtoul(out->sc.user, &end, 10), g = u;
		if (end == out->sc.user || (*end && *end != ':') ||
		    (*end == ':' && ((g = strtoul(end + 1, &end, 10)), *end))) {
			r = perr_set(err, -EINVAL, "etcd: user '%s' is not uid[:gid]", out->sc.user);
			goto fail;
		}
		out->uid = (unsigned)u;
		out->gid = (unsigned)g;
		out->has_user = true;
	}
	return 0;
fail:
	etcd_conf_free(out);
	return r;
}

int etcd_conf_find(const char *dir, struct etcd_conf *out, struct perr *err)
{
	char **names = NULL;
	size_t n = 0;
	int r = dir_list_sorted(dir, ".conf", &names, &n, err);

	if (r == -ENOENT) {
		perr_clear(err);
		return -ENOENT;
	}
	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < n && r == -ENOENT; i++) {
		struct svcconf sc = { 0 };
		char *path = path_join(dir, names[i]);
		if (!path) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		if (svcconf_load(path, &sc, err) < 0) {
			r = perr_wrap(err, "%s", path);
		} else if (!strcmp(sc.name, "etcd")) {
			r = etcd_conf_from(&sc, out, err);
			if (r < 0)
				perr_wrap(err, "%s", path);
		}
		svcconf_free(&sc);
		free(path);
	}
	strv_free(names);
	return r;
}
