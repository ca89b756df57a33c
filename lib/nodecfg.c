#include "nodecfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NODECFG_MAX (1024 * 1024)

static int key_ok(const char *k, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = k[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '.' || ch == '-'))
			return 0;
	}
	return 1;
}

static int push(struct nodecfg *c, char *k, char *v)
{
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		struct nodecfg_kv *p = realloc(c->kv, nc * sizeof(*p));
		if (!p)
			return -ENOMEM;
		c->kv = p;
		c->cap = nc;
	}
	c->kv[c->n].key = k;
	c->kv[c->n].val = v;
	c->n++;
	return 0;
}

int nodecfg_add(struct nodecfg *c, const char *key, const char *val)
{
	char *k, *v;
	if (!key_ok(key, strlen(key)))
		return -EINVAL;
	k = strdup(key);
	v = strdup(val ? val : "");
	if (!k || !v || push(c, k, v) < 0) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	return 0;
}

static char *unescape(const char *s, size_t n, int *bad)
{
	char *o = malloc(n + 1), *p = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			*p++ = s[i];
			continue;
		}
		if (++i == n) {
			*bad = 1;
			break;
		}
		switch (s[i]) {
		case '\\': *p++ = '\\'; break;
		case 'n': *p++ = '\n'; break;
		case 't': *p++ = '\t'; break;
		default: *bad = 1; break;
		}
	}
	*p = 0;
	return o;
}

int nodecfg_parse(const char *name, const char *buf, size_t len, struct nodecfg *out,
		  struct perr *err)
{
	struct nodecfg c = { 0 };
	size_t i = 0;
	int lineno = 0;

	while (i < len) {
		const char *line = buf + i, *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		const char *eq;
		char *k, *v;
		int bad = 0;

		i += ll + (nl ? 1 : 0);
		lineno++;
		if (ll == 0 || line[0] == '#')
			continue;
		if (memchr(line, '\0', ll)) {
			nodecfg_free(&c);
			return perr_setat(err, -EINVAL, name, lineno, 1, "NUL byte in line");
		}
		eq = memchr(line, '=', ll);
		if (!eq || !key_ok(line, (size_t)(eq - line))) {
			nodecfg_free(&c);
			return perr_setat(err, -EINVAL, name, lineno, 1,
					  "expected key=value with key of [a-z0-9_.-]");
		}
		k = strndup(line, (size_t)(eq - line));
		v = unescape(eq + 1, ll - (size_t)(eq - line) - 1, &bad);
		if (!k || !v || bad || push(&c, k, v) < 0) {
			free(k);
			free(v);
			nodecfg_free(&c);
			if (bad)
				return perr_setat(err, -EINVAL, name, lineno,
						  (int)(eq - line) + 2, "bad escape in value");
			return perr_set(err, -ENOMEM, "out of memory");
		}
	}
	*out = c;
	return 0;
}

int nodecfg_load(const char *path, struct nodecfg *out, struct perr *err)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	buf = malloc(NODECFG_MAX + 1);
	if (!buf) {
		close(fd);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, NODECFG_MAX + 1 - len);
		if (n < 0) {
			r = -errno;
			close(fd);
			free(buf);
			return perr_set(err, r, "%s: %s", path, strerror(-r));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > NODECFG_MAX) {
			close(fd);
			free(buf);
			return perr_set(err, -EFBIG, "%s: larger than %d bytes", path, NODECFG_MAX);
		}
	}
	close(fd);
	r = nodecfg_parse(path, buf, len, out, err);
	free(buf);
	return r;
}

const char *nodecfg_next(const struct nodecfg *c, const char *key, size_t *pos)
{
	for (size_t i = *pos; i < c->n; i++) {
		if (strcmp(c->kv[i].key, key) == 0) {
			*pos = i + 1;
			return c->kv[i].val;
		}
	}
	*pos = c->n;
	return NULL;
}

const char *nodecfg_get(const struct nodecfg *c, const char *key)
{
	size_t pos = 0;
	return nodecfg_next(c, key, &pos);
}

char *nodecfg_serialize(const struct nodecfg *c, size_t *len)
{
	size_t cap = 1;
	char *o, *p;
	for (size_t i = 0; i < c->n; i++)
		cap += strlen(c->kv[i].key) + 2 * strlen(c->kv[i].val) + 2;
	o = p = malloc(cap);
	if (!o)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		size_t kl = strlen(c->kv[i].key);
		memcpy(p, c->kv[i].key, kl);
		p += kl;
		*p++ = '=';
		for (const char *s = c->kv[i].val; *s; s++) {
			if (*s == '\\') { *p++ = '\\'; *p++ = '\\'; }
			else if (*s == '\n') { *p++ = '\\'; *p++ = 'n'; }
			else if (*s == '\t') { *p++ = '\\'; *p++ = 't'; }
			else *p++ = *s;
		}
		*p++ = '\n';
	}
	*p = 0;
	*len = (size_t)(p - o);
	return o;
}

void nodecfg_free(struct nodecfg *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->kv[i].key);
		free(c->kv[i].val);
	}
	free(c->kv);
	*c = (struct nodecfg){ 0 };
}
