#include "image/registry_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "registry_auth.h"
#include "strbuf.h"

static bool has_creds(const struct cfg_registry *g)
{
	return g->user && *g->user;
}

/* Wipes and frees a buffer that held credentials. */
static void sb_wipe(struct strbuf *sb)
{
	if (sb->s)
		OPENSSL_cleanse(sb->s, sb->cap);
	sb_free(sb);
}

static int done(struct strbuf *sb, char **ret, struct perr *err)
{
	if (sb->err) {
		sb_wipe(sb);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	*ret = sb_steal(sb);
	return 0;
}

int registry_auth_json(const struct cluster *c, char **ret, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	bool first = true;

	sb_adds(&sb, "{\"auths\": {");
	for (size_t i = 0; i < c->nregistries; i++) {
		const struct cfg_registry *g = &c->registries[i];
		if (!has_creds(g))
			continue;
		sb_adds(&sb, first ? "\n  " : ",\n  ");
		sb_json_str(&sb, g->url);
		sb_adds(&sb, ": {\"username\": ");
		sb_json_str(&sb, g->user);
		sb_adds(&sb, ", \"password\": ");
		sb_json_str(&sb, g->password ? g->password : "");
		sb_adds(&sb, "}");
		first = false;
	}
	sb_adds(&sb, first ? "}}\n" : "\n}}\n");
	return done(&sb, ret, err);
}

int registry_kubelet_config(const struct cluster *c, char **ret, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	bool first = true;

	/* RKE's GetKubeletDockerConfig: {"auths":{URL:{"auth":base64(user:password)}}} */
	sb_adds(&sb, "{\"auths\":{");
	for (size_t i = 0; i < c->nregistries; i++) {
		const struct cfg_registry *g = &c->registries[i];
		struct strbuf pair = STRBUF_INIT;
		char *b64;
		if (!has_creds(g))
			continue;
		sb_printf(&pair, "%s:%s", g->user, g->password ? g->password : "");
		b64 = pair.err ? NULL : registry_base64(pair.s, pair.len, 0);
		sb_wipe(&pair);
		if (!b64) {
			sb_wipe(&sb);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		if (!first)
			sb_adds(&sb, ",");
		sb_json_str(&sb, g->url);
		sb_adds(&sb, ":{\"auth\":");
		sb_json_str(&sb, b64);
		sb_adds(&sb, "}");
		OPENSSL_cleanse(b64, strlen(b64));
		free(b64);
		first = false;
	}
	sb_adds(&sb, "}}");
	return done(&sb, ret, err);
}

int registry_user_daemon_json(const struct cluster *c, char **ret, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "{\n  \"registry-mirrors\": ");
	sb_json_strv(&sb, c->paddock.registry_mirrors.v);
	sb_adds(&sb, "\n}\n");
	return done(&sb, ret, err);
}

/* The CA of the registry whose certs.d path is path, or NULL. */
static const char *ca_for(const struct cluster *c, const char *path)
{
	for (size_t i = 0; i < c->nregistries; i++) {
		char *host = c->registries[i].ca_pem ? registry_of_url(c->registries[i].url) : NULL;
		bool it = host && !strncmp(path, "/etc/docker/certs.d/", 20) &&
			  !strncmp(path + 20, host, strlen(host)) && !strcmp(path + 20 + strlen(host), "/ca.crt");
		free(host);
		if (it)
			return c->registries[i].ca_pem;
	}
	return NULL;
}

int registry_node_files(const struct plan *p, size_t i, struct appl_files *out, struct perr *err)
{
	const struct cluster *c = plan_cluster(p);
	size_t nf;
	const struct plan_file *f = plan_node_files(p, i, &nf);

	for (size_t k = 0; k < nf; k++) {
		char *data = NULL;
		const char *ca;
		int r = 0;
		if (!strcmp(f[k].path, REGISTRY_AUTH_PATH))
			r = registry_auth_json(c, &data, err);
		else if (!strcmp(f[k].path, "/var/lib/kubelet/config.json"))
			r = registry_kubelet_config(c, &data, err);
		else if (!strcmp(f[k].path, "/etc/docker/daemon.json"))
			r = registry_user_daemon_json(c, &data, err);
		else if ((ca = ca_for(c, f[k].path)) && !(data = strdup(ca)))
			r = perr_set(err, -ENOMEM, "out of memory");
		if (r < 0)
			return r;
		if (data && appl_files_add(out, f[k].path, data, strlen(data), f[k].mode, 0, 0) < 0) {
			OPENSSL_cleanse(data, strlen(data));
			free(data);
			return perr_set(err, -ENOMEM, "out of memory");
		}
	}
	return 0;
}
