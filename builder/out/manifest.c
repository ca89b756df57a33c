/* manifest: out/manifest.json and out/SHA256SUMS. */
#include "out/manifest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"
#include "components/fetch.h"
#include "fsutil.h"
#include "strbuf.h"

int outfiles_add(struct outfiles *f, const char *path, const char *sha256, unsigned long long size)
{
	if (f->n == f->cap) {
		size_t nc = f->cap ? 2 * f->cap : 64;
		struct outfile *nv = realloc(f->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		f->v = nv;
		f->cap = nc;
	}
	struct outfile *o = &f->v[f->n];
	if (!(o->path = strdup(path)))
		return -ENOMEM;
	memcpy(o->sha256, sha256, sizeof(o->sha256));
	o->sha256[DIGEST_HEX_LEN] = 0;
	o->size = size;
	f->n++;
	return 0;
}

const struct outfile *outfiles_find(const struct outfiles *f, const char *path)
{
	for (size_t i = f->n; i-- > 0;)
		if (!strcmp(f->v[i].path, path))
			return &f->v[i];
	return NULL;
}

void outfiles_free(struct outfiles *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].path);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct outfile *)a)->path, ((const struct outfile *)b)->path);
}

int sums_write(const char *dir, struct outfiles *f, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	qsort(f->v, f->n, sizeof(*f->v), by_path);
	for (size_t i = 0; i < f->n; i++)
		sb_printf(&sb, "%s  %s\n", f->v[i].sha256, f->v[i].path);
	char *p = path_join(dir, "SHA256SUMS");
	int r = sb.err || !p ? perr_set(err, -ENOMEM, "out of memory")
			     : write_file(p, sb.s ? sb.s : "", sb.len, 0644, err);
	free(p);
	sb_free(&sb);
	return r;
}

/* "k": "v" (null when v is), then ", " unless last. */
static void kv(struct strbuf *sb, const char *k, const char *v, bool last)
{
	sb_json_str(sb, k);
	sb_adds(sb, ": ");
	if (v)
		sb_json_str(sb, v);
	else
		sb_adds(sb, "null");
	if (!last)
		sb_adds(sb, ", ");
}

/* "k": n, then ", " unless last. */
static void kn(struct strbuf *sb, const char *k, unsigned long long n, bool last)
{
	sb_json_str(sb, k);
	sb_printf(sb, ": %llu%s", n, last ? "" : ", ");
}

/* An info value that is a number; 0 when it is missing. */
static unsigned long long info_num(const struct nodecfg *info, const char *key)
{
	const char *v = nodecfg_get(info, key);
	return strtoull(v ? v : "0", NULL, 10);
}

/* The entries of f whose path starts with prefix (and has no further
 * '/' when flat), one per line at indent. */
static void file_list(struct strbuf *sb, const struct outfiles *f, const char *const *prefixes,
		      bool flat, const char *indent)
{
	bool first = true;
	for (size_t i = 0; i < f->n; i++) {
		const char *path = f->v[i].path;
		bool match = false;
		for (const char *const *p = prefixes; *p && !match; p++) {
			size_t pl = strlen(*p);
			match = !strncmp(path, *p, pl) && !(flat && strchr(path + pl, '/'));
		}
		if (!match)
			continue;
		sb_printf(sb, "%s\n%s{ ", first ? "" : ",", indent);
		first = false;
		kv(sb, "path", path, false);
		kv(sb, "sha256", f->v[i].sha256, false);
		kn(sb, "size", f->v[i].size, true);
		sb_adds(sb, " }");
	}
}

static void components(struct strbuf *sb, const struct lock *lock)
{
	for (size_t i = 0; i < lock->n; i++) {
		const struct component *c = &lock->v[i];
		sb_adds(sb, i ? ",\n    { " : "\n    { ");
		kv(sb, "name", c->name, false);
		if (c->kind == COMPONENT_DEB) {
			kv(sb, "version", c->version, false);
			kv(sb, "arch", c->arch, false);
		} else {
			/* a URL's credentials are not the manifest's business */
			char *u = fetch_url_shown(c->url);
			if (!u)
				sb->err = -ENOMEM;
			kv(sb, "url", u, false);
			free(u);
		}
		kv(sb, "sha256", c->sha256, true);
		sb_adds(sb, " }");
	}
}

static void nodes(struct strbuf *sb, const struct manifest_input *m, const struct outfiles *f)
{
	for (size_t i = 0; i < m->n_nodes; i++) {
		const char *name = m->nodes[i].name;
		char *prefix = NULL, *node_img = NULL;
		if (asprintf(&prefix, "%s/", name) < 0 || asprintf(&node_img, "%snode.img", prefix) < 0) {
			free(prefix);
			sb->err = -ENOMEM;
			return;
		}
		sb_adds(sb, i ? ",\n    { " : "\n    { ");
		kv(sb, "name", name, false);
		kv(sb, "cmdline", m->nodes[i].cmdline, false);
		/* boot order: the base first, then the node layer */
		sb_adds(sb, "\"initrds\": [\"base.img\", ");
		sb_json_str(sb, node_img);
		sb_adds(sb, "],\n      \"files\": [");
		file_list(sb, f, (const char *const[]){ prefix, NULL }, true, "      ");
		sb_adds(sb, "\n    ] }");
		free(prefix);
		free(node_img);
	}
}

int manifest_write(const char *dir, const struct manifest_input *m, const struct outfiles *f,
		   char sha[DIGEST_HEX_LEN + 1], size_t *ret_len, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	const struct nodecfg *bi = m->base_info;
	sb_adds(&sb, "{\n  ");
	kv(&sb, "paddock", PADDOCK_VERSION, false);
	kv(&sb, "cluster", m->cluster, false);
	/* the file's name, not where the checkout happens to be */
	const char *src = m->source ? strrchr(m->source, '/') : NULL;
	kv(&sb, "source", src ? src + 1 : m->source, false);
	kn(&sb, "source_date_epoch", (unsigned long long)m->source_date_epoch, true);
	const struct manifest_version_data *vd = &m->version_data;
	const char *vfile = vd->file ? strrchr(vd->file, '/') : NULL;
	sb_adds(&sb, ",\n  \"version_data\": { ");
	kv(&sb, "name", vd->name, false);
	kv(&sb, "file", vfile ? vfile + 1 : vd->file, false);
	kv(&sb, "sha256", vd->sha256, true);
	sb_adds(&sb, " }");
	sb_adds(&sb, ",\n  \"kernel\": { ");
	kv(&sb, "flavour", nodecfg_get(bi, "kernel.flavour"), false);
	kv(&sb, "package", nodecfg_get(bi, "kernel.package"), false);
	kv(&sb, "version", nodecfg_get(bi, "kernel.version"), false);
	kv(&sb, "release", nodecfg_get(bi, "kernel.release"), false);
	kv(&sb, "file", "vmlinuz", false);
	kv(&sb, "sha256", nodecfg_get(bi, "vmlinuz.sha256"), true);
	sb_adds(&sb, " },\n  \"base\": { ");
	kv(&sb, "file", "base.img", false);
	kv(&sb, "key", m->base_key, false);
	kv(&sb, "sha256", nodecfg_get(bi, "base.sha256"), false);
	kn(&sb, "size", info_num(bi, "base.size"), false);
	kn(&sb, "uncompressed_size", info_num(bi, "base.raw_size"), false);
	kv(&sb, "compression", nodecfg_get(bi, "base.compression"), false);
	kn(&sb, "entries", info_num(bi, "base.entries"), false);
	kn(&sb, "kernel_modules", info_num(bi, "base.modules"), true);
	sb_adds(&sb, " },\n  \"components\": [");
	components(&sb, m->lock);
	sb_adds(&sb, "\n  ],\n  \"nodes\": [");
	nodes(&sb, m, f);
	sb_adds(&sb, "\n  ],\n  \"media\": [");
	/* the network boot trees; each ISO is among its node's files */
	size_t before = sb.len;
	file_list(&sb, f, (const char *const[]){ "tftp/", "ipxe/", NULL }, false, "    ");
	sb_adds(&sb, sb.len == before ? "]" : "\n  ]");
	if (m->operator_files && m->operator_files[0]) {
		sb_adds(&sb, ",\n  \"operator\": [");
		file_list(&sb, f, (const char *const *)m->operator_files, true, "    ");
		sb_adds(&sb, "\n  ]");
	}
	sb_adds(&sb, "\n}\n");
	char *p = path_join(dir, "manifest.json");
	int r = sb.err || !p ? perr_set(err, -ENOMEM, "out of memory")
			     : write_file(p, sb.s, sb.len, 0644, err);
	if (r >= 0) {
		digest_buf(sb.s, sb.len, sha);
		*ret_len = sb.len;
	}
	free(p);
	sb_free(&sb);
	return r;
}
