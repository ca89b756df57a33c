/* manifest: out/manifest.json and out/SHA256SUMS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "out/manifest.h"

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
	struct json j = { 0 };
	qsort(f->v, f->n, sizeof(*f->v), by_path);
	for (size_t i = 0; i < f->n; i++) {
		json_raw(&j, f->v[i].sha256);
		json_raw(&j, "  ");
		json_raw(&j, f->v[i].path);
		json_raw(&j, "\n");
	}
	char *p = path_join(dir, "SHA256SUMS");
	int r = j.oom || !p ? perr_set(err, -ENOMEM, "out of memory")
			    : write_file(p, j.s ? j.s : "", j.len, 0644, err);
	free(p);
	free(j.s);
	return r;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t nc = (j->cap ? 2 * j->cap : 4096) + n;
		char *ns = realloc(j->s, nc);
		if (!ns) {
			j->oom = 1;
			return;
		}
		j->s = ns;
		j->cap = nc;
	}
	memcpy(j->s + j->len, s, n);
	j->len += n;
	j->s[j->len] = 0;
}

void json_raw(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

void json_str(struct json *j, const char *s)
{
	put(j, "\"", 1);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(j, esc, 6);
		} else {
			put(j, (const char *)&c, 1);
		}
	}
	put(j, "\"", 1);
}

void json_kv(struct json *j, const char *k, const char *v, int comma)
{
	json_str(j, k);
	put(j, ": ", 2);
	if (v)
		json_str(j, v);
	else
		json_raw(j, "null");
	if (comma)
		put(j, ", ", 2);
}

void json_kn(struct json *j, const char *k, unsigned long long v, int comma)
{
	char buf[32];
	json_str(j, k);
	snprintf(buf, sizeof(buf), ": %llu", v);
	json_raw(j, buf);
	if (comma)
		put(j, ", ", 2);
}
