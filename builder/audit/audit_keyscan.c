/* audit_keyscan: private key material in file contents. */
#include "audit/audit_keyscan.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define CHUNK (1u << 20)
/* the longest key scanned whole: a base64-wrapped PEM block of a 16384-bit
 * RSA key is under 20 KiB */
#define CARRY (128u << 10)
#define LABEL_MAX 48

struct keyscan {
	unsigned char *win;     /* CHUNK + CARRY bytes */
	size_t len;             /* bytes in win */
	size_t resume;          /* where the next scan of win starts */
	bool first, skip;       /* nothing seen yet; an ELF file */
	const char *path;
	struct key_hits *out;
};

void key_hits_add(struct key_hits *h, const char *path, const char *label, const char *fp)
{
	if (h->oom)
		return;
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 8;
		struct key_hit *v = realloc(h->v, cap * sizeof(*v));
		if (!v) {
			h->oom = true;
			return;
		}
		h->v = v;
		h->cap = cap;
	}
	struct key_hit *k = &h->v[h->n];
	k->path = strdup(path);
	k->label = strdup(label);
	snprintf(k->fp, sizeof(k->fp), "%s", fp);
	if (!k->path || !k->label) {
		free(k->path);
		free(k->label);
		h->oom = true;
		return;
	}
	h->n++;
}

void key_hits_clear(struct key_hits *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].path);
		free(h->v[i].label);
	}
	free(h->v);
	*h = (struct key_hits){ 0 };
}

static bool is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
	       c == '/' || c == '=';
}

static const char BEGIN[] = "-----BEGIN ";
static const char WRAPPED[] = "LS0tLS1CRUdJTi";      /* base64 of "-----BEGIN" */
static const char OPENSSH_MAGIC[] = "openssh-key-v1";  /* followed by a NUL */
/* dropbear's Ed25519 key file: string "ssh-ed25519", the length of 64 key
 * bytes (a public key blob has 32 there) */
static const char DROPBEAR_ED25519[] = "\0\0\0\x0bssh-ed25519\0\0\0\x40";

/* A PEM private key block at p: its length (0 when it is not one). */
static size_t pem_key(const unsigned char *p, size_t avail, const char *path, const char *prefix,
		      struct key_hits *out)
{
	size_t i = sizeof(BEGIN) - 1, l0 = i;
	while (i < avail && i - l0 < LABEL_MAX && ((p[i] >= 'A' && p[i] <= 'Z') || p[i] == ' ' ||
						   (p[i] >= '0' && p[i] <= '9')))
		i++;
	size_t llen = i - l0;
	static const char pk[] = "PRIVATE KEY";
	if (llen < sizeof(pk) - 1 || memcmp(p + i - (sizeof(pk) - 1), pk, sizeof(pk) - 1) ||
	    avail - i < 5 || memcmp(p + i, "-----", 5))
		return 0;
	char label[LABEL_MAX + 1];
	memcpy(label, p + l0, llen);
	label[llen] = '\0';
	i += 5;
	/* RFC 1421 headers of an encrypted PKCS#1 key: "Proc-Type: ...", "DEK-Info: ..." */
	for (;;) {
		while (i < avail && (p[i] == '\r' || p[i] == '\n'))
			i++;
		size_t e = i;
		while (e < avail && p[e] != '\n' && p[e] != ':' && p[e] != '-')
			e++;
		if (e >= avail || p[e] != ':')
			break;
		while (e < avail && p[e] != '\n')
			e++;
		i = e;
	}
	struct digest *d = digest_new();
	if (!d)
		return 0;
	digest_update(d, label, llen);
	size_t body = 0;
	for (; i < avail && p[i] != '-'; i++) {
		if (is_b64(p[i])) {
			digest_update(d, p + i, 1);
			body++;
		} else if (p[i] != '\r' && p[i] != '\n' && p[i] != ' ' && p[i] != '\t') {
			break;
		}
	}
	char end[sizeof("-----END -----") + LABEL_MAX];
	int el = snprintf(end, sizeof(end), "-----END %s-----", label);
	if (body < 32 || avail - i < (size_t)el || memcmp(p + i, end, (size_t)el)) {
		digest_abort(d);
		return 0;
	}
	char fp[DIGEST_HEX_LEN + 1], full[LABEL_MAX + 16];
	digest_final(d, fp);
	snprintf(full, sizeof(full), "%s%s", prefix, label);
	key_hits_add(out, path, full, fp);
	return i + (size_t)el;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A string of a binary OpenSSH key at p[*i]: bounded, printable if asked. */
static bool ssh_string(const unsigned char *p, size_t avail, size_t *i, uint32_t max, bool printable,
		       size_t *ret_len)
{
	if (avail - *i < 4)
		return false;
	uint32_t n = be32(p + *i);
	if (n > max || avail - *i - 4 < n)
		return false;
	for (uint32_t k = 0; printable && k < n; k++)
		if (p[*i + 4 + k] < 0x21 || p[*i + 4 + k] > 0x7e)
			return false;
	*ret_len = n;
	*i += 4 + n;
	return true;
}

/* Records a private SSH key found at path.  Its fingerprint is the SHA-256
 * of OpenSSH's magic and the public key blob (given in pieces), so an
 * OpenSSH and a dropbear file of one key count as one key.  False when
 * memory ran out. */
static bool ssh_key_hit(struct key_hits *out, const char *path, const char *label, const struct iovec *blob,
			size_t nblob)
{
	struct digest *d = digest_new();
	char fp[DIGEST_HEX_LEN + 1];
	if (!d)
		return false;
	digest_update(d, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC) - 1);
	for (size_t k = 0; k < nblob; k++)
		digest_update(d, blob[k].iov_base, blob[k].iov_len);
	digest_final(d, fp);
	key_hits_add(out, path, label, fp);
	return true;
}

/* OpenSSH's binary key ("openssh-key-v1\0", cipher, kdf, kdf options, the
 * number of keys, the first public key) at p: its header length, or 0. */
static size_t openssh_key(const unsigned char *p, size_t avail, const char *path, struct key_hits *out)
{
	size_t i = sizeof(OPENSSH_MAGIC), n;
	if (avail < i || p[i - 1] != '\0')
		return 0;
	if (!ssh_string(p, avail, &i, 64, true, &n) || n == 0 || !ssh_string(p, avail, &i, 64, true, &n) ||
	    n == 0 || !ssh_string(p, avail, &i, 4096, false, &n) || avail - i < 4)
		return 0;
	uint32_t nkeys = be32(p + i);
	i += 4;
	size_t pub = i + 4;
	if (nkeys == 0 || nkeys > 64 || !ssh_string(p, avail, &i, 16384, false, &n) || n == 0)
		return 0;
	const struct iovec blob[] = { { (void *)(p + pub), n } };
	return ssh_key_hit(out, path, OPENSSH_MAGIC, blob, 1) ? i : 0;
}

/* dropbear's Ed25519 key file at p (DROPBEAR_ED25519, then the seed and
 * the public key).  The fingerprint is what openssh_key() gives the same
 * key in OpenSSH's binary form (magic and public key blob), so both are
 * one key.  Its length, or 0. */
static size_t dropbear_key(const unsigned char *p, size_t avail, const char *path, struct key_hits *out)
{
	static const unsigned char len32[] = { 0, 0, 0, 32 };
	size_t head = sizeof(DROPBEAR_ED25519) - 1;
	if (avail < head + 64)
		return 0;
	const struct iovec blob[] = { { (void *)p, head - 4 }, { (void *)len32, 4 }, { (void *)(p + head + 32), 32 } };
	return ssh_key_hit(out, path, "dropbear ssh-ed25519", blob, 3) ? head + 64 : 0;
}

/* A PEM block base64-encoded once more, as a kubeconfig's client-key-data. */
static size_t wrapped_key(const unsigned char *p, size_t avail, const char *path, struct key_hits *out)
{
	size_t n = 0;
	while (n < avail && is_b64(p[n]))
		n++;
	n -= n % 4;
	unsigned char *dec = malloc(n / 4 * 3 + 1);
	if (!dec || n == 0) {
		free(dec);
		return 0;
	}
	int dl = EVP_DecodeBlock(dec, p, (int)n);
	size_t used = 0;
	for (size_t k = 0; dl > 0 && k + sizeof(BEGIN) - 1 <= (size_t)dl; k++)
		if (!memcmp(dec + k, BEGIN, sizeof(BEGIN) - 1) &&
		    pem_key(dec + k, (size_t)dl - k, path, "base64 ", out)) {
			used = n;
			break;
		}
	free(dec);
	return used;
}

/* What a key starts with, in the order scan() tells them apart. */
#define PAT(s) { s, sizeof(s) - 1 }
static const struct {
	const char *s;
	size_t n;
} pats[] = { PAT(BEGIN), PAT(WRAPPED), PAT(OPENSSH_MAGIC), PAT(DROPBEAR_ED25519) };
#undef PAT
enum { NPATS = sizeof(pats) / sizeof(*pats) };

/* Looks for keys starting in win[from, limit); the next scan's start. */
static size_t scan(struct keyscan *ks, size_t from, size_t limit)
{
	const unsigned char *next[NPATS];
	size_t pos = from;
	for (int k = 0; k < NPATS; k++)
		next[k] = pos < limit ? memmem(ks->win + pos, ks->len - pos, pats[k].s, pats[k].n) : NULL;
	while (pos < limit) {
		int k = -1;
		for (int j = 0; j < NPATS; j++)
			if (next[j] && (size_t)(next[j] - ks->win) < limit && (k < 0 || next[j] < next[k]))
				k = j;
		if (k < 0)
			return limit;
		size_t at = (size_t)(next[k] - ks->win), avail = ks->len - at, used;
		used = k == 0   ? pem_key(ks->win + at, avail, ks->path, "", ks->out)
		       : k == 1 ? wrapped_key(ks->win + at, avail, ks->path, ks->out)
		       : k == 2 ? openssh_key(ks->win + at, avail, ks->path, ks->out)
				: dropbear_key(ks->win + at, avail, ks->path, ks->out);
		pos = at + (used ? used : 1);
		for (int j = 0; j < NPATS; j++)
			if (next[j] && next[j] < ks->win + pos)
				next[j] = pos < ks->len ? memmem(ks->win + pos, ks->len - pos, pats[j].s, pats[j].n)
							: NULL;
	}
	return pos;
}

/* An ELF identification: magic, class, byte order, version. */
static bool is_elf(const unsigned char *p)
{
	return !memcmp(p, "\x7f" "ELF", 4) && (p[4] == 1 || p[4] == 2) && (p[5] == 1 || p[5] == 2) && p[6] == 1;
}

struct keyscan *keyscan_new(void)
{
	struct keyscan *ks = calloc(1, sizeof(*ks));
	if (ks && !(ks->win = malloc(CHUNK + CARRY))) {
		free(ks);
		ks = NULL;
	}
	return ks;
}

void keyscan_free(struct keyscan *ks)
{
	if (ks)
		free(ks->win);
	free(ks);
}

void keyscan_begin(struct keyscan *ks, const char *path, struct key_hits *out)
{
	ks->len = ks->resume = 0;
	ks->first = true;
	ks->skip = false;
	ks->path = path;
	ks->out = out;
}

void keyscan_feed(struct keyscan *ks, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	while (len > 0 && !ks->skip) {
		size_t n = CHUNK + CARRY - ks->len;
		if (n > len)
			n = len;
		memcpy(ks->win + ks->len, b, n);
		ks->len += n;
		b += n;
		len -= n;
		if (ks->first && ks->len >= 7) {
			ks->first = false;
			ks->skip = is_elf(ks->win);
		}
		if (ks->len < CHUNK + CARRY || ks->skip)
			continue;
		/* keys starting before the carried tail are seen whole now */
		size_t limit = ks->len - CARRY;
		size_t next = scan(ks, ks->resume, limit);
		memmove(ks->win, ks->win + limit, CARRY);
		ks->len = CARRY;
		ks->resume = next - limit;
	}
}

void keyscan_end(struct keyscan *ks)
{
	if (!ks->skip)
		scan(ks, ks->resume, ks->len);
	ks->len = ks->resume = 0;
}

void keyscan_buf(const void *buf, size_t len, const char *path, struct key_hits *out)
{
	struct keyscan *ks = keyscan_new();
	if (!ks) {
		out->oom = true;
		return;
	}
	keyscan_begin(ks, path, out);
	keyscan_feed(ks, buf, len);
	keyscan_end(ks);
	keyscan_free(ks);
}
