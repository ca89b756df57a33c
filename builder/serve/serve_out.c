#include "serve/serve_out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_view.h"
#include "components/listfile.h"
#include "fsutil.h"
#include "json.h"
#include "nodecfg.h"

#define MANIFEST_MAX (16u << 20)

int serve_out_manifest(const char *dir, struct serve_out *o, struct perr *err)
{
	memset(o, 0, sizeof(*o));
	char *path = path_join(dir, "manifest.json"), *buf = NULL;
	struct json *j = NULL;
	size_t len;
	int r = path ? read_file(path, MANIFEST_MAX, &buf, &len, err) : perr_set(err, -ENOMEM, "out of memory");
	if (r >= 0 && (r = json_parse(buf, len, &j, err)) < 0)
		perr_wrap(err, "%s", path);
	if (r < 0) {
		r = perr_wrap(err, "%s is not a paddock build output", dir);
		goto out;
	}
	const char *v = json_str_at(j, "paddock");
	const struct json *nodes = json_get(j, "nodes");
	size_t n = 0;
	for (const struct json *x = nodes && nodes->type == JSON_ARR ? nodes->child : NULL; x; x = x->next)
		n++;
	o->dir = strdup(dir);
	o->version = strdup(v ? v : "");
	o->nodes = calloc(n ? n : 1, sizeof(*o->nodes));
	if (!o->dir || !o->version || !o->nodes) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (const struct json *x = n ? nodes->child : NULL; x; x = x->next) {
		const char *name = json_str_at(x, "name");
		if (!name || !*name || strchr(name, '/') || name[0] == '.') {
			r = perr_set(err, -EINVAL, "%s: a node without a usable name", path);
			goto out;
		}
		struct serve_node *s = &o->nodes[o->n++];
		if (!(s->name = strdup(name))) {
			r = perr_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		s->report.name = s->name;
	}
out:
	json_free(j);
	free(buf);
	free(path);
	return r;
}

static int node_config(const char *dir, struct serve_node *s, struct perr *err)
{
	char *rel = NULL, *file = NULL;
	struct audit_layer *l = NULL;
	struct nodecfg c = { 0 };
	int r = asprintf(&rel, "%s/node.img", s->name) < 0 || !(file = path_join(dir, rel))
			? perr_set(err, -ENOMEM, "out of memory")
			: audit_layer_read(file, rel, &l, err);
	const struct audit_file *f = r < 0 ? NULL : audit_layer_get(l, NODECFG_PATH);
	if (r >= 0 && (!f || !f->data))
		r = perr_set(err, -ENOENT, "%s: no %s in it", file, NODECFG_PATH);
	if (r >= 0)
		r = nodecfg_parse(NODECFG_PATH, f->data, strlen(f->data), &c, err);
	if (r >= 0) {
		const char *mac = nodecfg_get(&c, "net.mac");
		const char *ip = nodecfg_get(&c, "net.address");
		if (!ip || !*ip)
			ip = nodecfg_get(&c, "node.address");
		if (mac && *mac && mac_normalize(mac, s->mac) < 0)
			r = perr_set(err, -EINVAL, "%s: net.mac '%s' is not a MAC", rel, mac);
		size_t n = ip ? strcspn(ip, "/") : 0;
		if (n && n < sizeof(s->ip) && strspn(ip, "0123456789.") >= n)
			memcpy(s->ip, ip, n), s->ip[n] = 0;
	}
	nodecfg_free(&c);
	audit_layer_free(l);
	free(file);
	free(rel);
	return r;
}

int serve_out_nodes(struct serve_out *o, struct perr *err)
{
	for (size_t i = 0; i < o->n; i++) {
		struct serve_node *s = &o->nodes[i];
		struct perr kerr = PERR_INIT;
		char *rel = NULL, *key = NULL, *script = NULL;
		size_t len;
		int r = node_config(o->dir, s, err);
		if (r < 0)
			return perr_wrap(err, "node %s", s->name);
		if (asprintf(&rel, "%s/report.key", s->name) < 0 || !(key = path_join(o->dir, rel)))
			r = perr_set(err, -ENOMEM, "out of memory");
		else
			s->report.has_key = report_key_load(key, s->report.key, &kerr) == 0;
		perr_clear(&kerr);
		free(key);
		free(rel);
		rel = NULL;
		if (r >= 0 && s->mac[0]) {
			char hy[MAC_STR_LEN];
			for (int k = 0; k < MAC_STR_LEN; k++)
				hy[k] = s->mac[k] == ':' ? '-' : s->mac[k];
			if (asprintf(&rel, "ipxe/%s.ipxe", hy) < 0 || !(script = path_join(o->dir, rel)))
				r = perr_set(err, -ENOMEM, "out of memory");
			else if ((r = read_file(script, 1u << 20, &s->script, &len, err)) < 0)
				perr_wrap(err, "node %s has a MAC but no iPXE script (build with the ipxe format)", s->name);
		}
		free(script);
		free(rel);
		if (r < 0)
			return r;
	}
	return 0;
}

void serve_out_free(struct serve_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->nodes[i].name);
		free(o->nodes[i].script);
	}
	free(o->nodes);
	free(o->dir);
	free(o->version);
	memset(o, 0, sizeof(*o));
}

const struct serve_node *serve_out_by_mac(const struct serve_out *o, const char *mac)
{
	char m[MAC_STR_LEN];
	if (mac_normalize(mac, m) < 0)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->nodes[i].mac, m))
			return &o->nodes[i];
	return NULL;
}

int mac_from_hyphens(const char *s, size_t len, char mac[MAC_STR_LEN])
{
	char t[MAC_STR_LEN];
	if (len != 17)
		return -EINVAL;
	for (size_t i = 0; i < 17; i++) {
		if (i % 3 == 2 && s[i] != '-')
			return -EINVAL;
		t[i] = i % 3 == 2 ? ':' : s[i];
	}
	t[17] = 0;
	return mac_normalize(t, mac);
}
