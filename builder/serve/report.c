#include "serve/report.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fsutil.h"
#include "report_mac.h"

const char *const report_stages[] = {
	"init", "network", "state-disk", "system-docker", "etcd-member", "etcd-healthy", "role-containers", "failed", NULL,
};

/* Takes "KEY=" at *p; the value runs to the next ' ', '\n' or the end. */
static int field(const char **p, const char *end, const char *key, const char **val, size_t *vlen)
{
	size_t kl = strlen(key);
	if ((size_t)(end - *p) < kl + 1 || memcmp(*p, key, kl) || (*p)[kl] != '=')
		return -EINVAL;
	*val = *p + kl + 1;
	const char *e = *val;
	while (e < end && *e != ' ' && *e != '\n')
		e++;
	*vlen = (size_t)(e - *val);
	*p = e;
	return 0;
}

/* Takes the one space between fields; never reads past end. */
static bool space(const char **p, const char *end)
{
	if (*p >= end || **p != ' ')
		return false;
	(*p)++;
	return true;
}

static bool all_of(const char *s, size_t n, const char *set, size_t max)
{
	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

static int number(const char *s, size_t n, unsigned long long *ret)
{
	unsigned long long v = 0;
	if (!all_of(s, n, "0123456789", 20))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (~0ULL - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static char *pct_decode(const char *s, size_t n)
{
	char *o = malloc(n + 1), *q = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
				goto bad;
			c = h * 16 + l;
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f) {
			goto bad;
		}
		*q++ = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	*q = 0;
	return o;
bad:
	free(o);
	errno = EINVAL;
	return NULL;
}

int report_parse(const char *body, size_t len, struct report *r, struct perr *err)
{
	memset(r, 0, sizeof(*r));
	if (len > REPORT_MAX_BODY)
		return perr_set(err, -E2BIG, "report longer than %d bytes", REPORT_MAX_BODY);
	const char *p = body, *end = body + len, *v;
	size_t n;
	if (len && body[len - 1] == '\n')
		end--;
	if (memchr(body, '\n', (size_t)(end - body)) || memchr(body, 0, len))
		return perr_set(err, -EINVAL, "report: one line expected");
	if (field(&p, end, "node", &v, &n) < 0 || !all_of(v, n, "abcdefghijklmnopqrstuvwxyz0123456789.-", 63))
		return perr_set(err, -EINVAL, "report: expected node=NAME first");
	memcpy(r->node, v, n);
	if (!space(&p, end) || field(&p, end, "boot", &v, &n) < 0 || !all_of(v, n, "0123456789abcdef-", 64))
		return perr_set(err, -EINVAL, "report: expected boot=BOOTID after the node");
	memcpy(r->boot, v, n);
	if (!space(&p, end) || field(&p, end, "seq", &v, &n) < 0 || number(v, n, &r->seq) < 0)
		return perr_set(err, -EINVAL, "report: expected seq=N after the boot id");
	if (!space(&p, end) || field(&p, end, "t", &v, &n) < 0 || number(v, n, &r->t) < 0)
		return perr_set(err, -EINVAL, "report: expected t=MILLISECONDS after seq");
	if (!space(&p, end) || field(&p, end, "stage", &v, &n) < 0)
		return perr_set(err, -EINVAL, "report: expected stage=STAGE after t");
	for (size_t i = 0; report_stages[i]; i++)
		if (strlen(report_stages[i]) == n && !memcmp(report_stages[i], v, n))
			r->stage = report_stages[i];
	if (!r->stage)
		return perr_set(err, -EINVAL, "report: unknown stage '%.*s'", (int)(n > 32 ? 32 : n), v);
	if (p < end) {
		if (!space(&p, end) || field(&p, end, "detail", &v, &n) < 0 || p != end)
			return perr_set(err, -EINVAL, "report: only detail=TEXT may follow the stage");
		if (!(r->detail = pct_decode(v, n)))
			return perr_set(err, -EINVAL, "report: detail is not percent-encoded text");
	}
	return 0;
}

void report_clear(struct report *r)
{
	free(r->detail);
	r->detail = NULL;
}

int report_sign_header(const char *body, size_t len, const unsigned char key[REPORT_KEY_LEN], char out[72])
{
	memcpy(out, "sha256=", 7);
	return report_mac_hex(key, REPORT_KEY_LEN, body, len, out + 7) < 0 ? -EIO : 0;
}

int report_verify(const char *body, size_t len, const char *header, const unsigned char key[REPORT_KEY_LEN])
{
	char want[72];
	if (!header || strlen(header) != 71 || report_sign_header(body, len, key, want) < 0)
		return -EPERM;
	char got[72];
	for (size_t i = 0; i < 71; i++)
		got[i] = (char)tolower((unsigned char)header[i]);
	got[71] = 0;
	return CRYPTO_memcmp(want, got, 71) ? -EPERM : 0;
}

int report_key_load(const char *path, unsigned char key[REPORT_KEY_LEN], struct perr *err)
{
	char buf[2 * REPORT_KEY_LEN + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	ssize_t n = fd_read(fd, buf, sizeof(buf));
	close(fd);
	if (n == (ssize_t)sizeof(buf) - 1 && buf[n - 1] == '\n')
		n--;
	if (n != 2 * REPORT_KEY_LEN)
		return perr_set(err, -EINVAL, "%s: expected 64 hex digits", path);
	for (size_t i = 0; i < REPORT_KEY_LEN; i++) {
		int h = hexval(buf[2 * i]), l = hexval(buf[2 * i + 1]);
		if (h < 0 || l < 0)
			return perr_set(err, -EINVAL, "%s: expected 64 hex digits", path);
		key[i] = (unsigned char)(h * 16 + l);
	}
	return 0;
}

int report_book_take(struct report_book *b, const struct report *r)
{
	for (size_t i = 0; i < b->n; i++) {
		struct report_seen *s = &b->v[i];
		if (strcmp(s->node, r->node) || strcmp(s->boot, r->boot))
			continue;
		if (r->seq <= s->seq)
			return -EALREADY;
		s->seq = r->seq;
		return 0;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;
		struct report_seen *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	struct report_seen *s = &b->v[b->n++];
	memcpy(s->node, r->node, sizeof(s->node));
	memcpy(s->boot, r->boot, sizeof(s->boot));
	s->seq = r->seq;
	return 0;
}

void report_book_free(struct report_book *b)
{
	free(b->v);
	*b = (struct report_book){ 0 };
}

int report_accept(struct report_book *b, const struct report_node *nodes, size_t n_nodes, const char *body,
		  size_t len, const char *header, struct report *r, size_t *node_index, struct perr *err)
{
	if (report_parse(body, len, r, err) < 0)
		return 400;
	size_t i = 0;
	while (i < n_nodes && strcmp(nodes[i].name, r->node))
		i++;
	int st = 0;
	if (i == n_nodes)
		perr_set(err, -ENOENT, "report for unknown node '%s'", r->node), st = 401;
	else if (!nodes[i].has_key)
		perr_set(err, -ENOKEY, "report for node '%s', which has no report.key", r->node), st = 401;
	else if (report_verify(body, len, header, nodes[i].key) < 0)
		perr_set(err, -EPERM, "report for node '%s': %s signature", r->node, header ? "bad" : "no"), st = 401;
	else if ((st = report_book_take(b, r)) == -EALREADY)
		perr_set(err, -EALREADY, "report for node '%s': seq %llu replayed (not above the last seen for boot %s)",
			 r->node, r->seq, r->boot), st = 409;
	else if (st < 0)
		perr_set(err, st, "report: out of memory"), st = 400;
	if (st) {
		report_clear(r);
		return st;
	}
	*node_index = i;
	return 204;
}
