#include "pki/ssh_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

void ssh_put_u32(struct strbuf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
			       (unsigned char)v };
	sb_add(b, x, sizeof(x));
}

void ssh_put_u64(struct strbuf *b, uint64_t v)
{
	ssh_put_u32(b, (uint32_t)(v >> 32));
	ssh_put_u32(b, (uint32_t)v);
}

void ssh_put_string(struct strbuf *b, const void *p, size_t n)
{
	if (n > UINT32_MAX) {
		b->err = b->err ? b->err : -E2BIG;
		return;
	}
	ssh_put_u32(b, (uint32_t)n);
	sb_add(b, p, n);
}

void ssh_put_cstring(struct strbuf *b, const char *s)
{
	ssh_put_string(b, s, strlen(s));
}

void ssh_put_mpint_bytes(struct strbuf *b, const unsigned char *p, size_t n)
{
	while (n && !*p) {
		p++;
		n--;
	}
	int pad = n && (*p & 0x80);
	ssh_put_u32(b, (uint32_t)(n + (size_t)pad));
	if (pad)
		sb_add(b, "", 1);
	sb_add(b, p, n);
}

void ssh_put_mpint(struct strbuf *b, const BIGNUM *bn)
{
	int n = BN_num_bytes(bn);
	unsigned char *x = malloc(n > 0 ? (size_t)n : 1);
	if (!x) {
		b->err = b->err ? b->err : -ENOMEM;
		return;
	}
	BN_bn2bin(bn, x);
	ssh_put_mpint_bytes(b, x, (size_t)n);
	free(x);
}

int ssh_get_u32(struct ssh_reader *r, uint32_t *ret)
{
	if (r->left < 4)
		return -EBADMSG;
	*ret = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

int ssh_get_string(struct ssh_reader *r, const unsigned char **ret, size_t *ret_len)
{
	uint32_t n;
	if (ssh_get_u32(r, &n) < 0 || n > r->left)
		return -EBADMSG;
	*ret = r->p;
	*ret_len = n;
	r->p += n;
	r->left -= n;
	return 0;
}

int ssh_get_expect(struct ssh_reader *r, const char *s)
{
	const unsigned char *p;
	size_t n;
	if (ssh_get_string(r, &p, &n) < 0 || n != strlen(s) || memcmp(p, s, n))
		return -EBADMSG;
	return 0;
}

char *ssh_base64(const void *p, size_t n)
{
	if (n > (size_t)INT32_MAX / 2)
		return NULL;
	char *s = malloc(4 * ((n + 2) / 3) + 1);
	if (s)
		EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	return s;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int ssh_unbase64(const char *s, size_t len, unsigned char **ret, size_t *ret_len, struct perr *err)
{
	unsigned char *out = malloc(len / 4 * 3 + 3);
	size_t n = 0, pad = 0, digits = 0;
	uint32_t acc = 0;
	if (!out)
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		int v = c == '=' ? 0 : b64_value(c);
		/* padding only at the end of a group, and nothing after it */
		if (v < 0 || (c != '=' && pad)) {
			free(out);
			return perr_set(err, -EBADMSG, "bad base64");
		}
		pad += c == '=';
		acc = acc << 6 | (uint32_t)v;
		if (++digits % 4 == 0) {
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (digits % 4 || pad > 2) {
		free(out);
		return perr_set(err, -EBADMSG, "bad base64");
	}
	*ret = out;
	*ret_len = n - pad;
	return 0;
}
