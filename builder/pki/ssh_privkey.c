#include "pki/ssh_privkey.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>

#include "pki/keys.h"
#include "pki/ssh_key.h"
#include "pki/ssh_wire.h"
#include "strbuf.h"

#define BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define END "-----END OPENSSH PRIVATE KEY-----\n"
#define MAGIC "openssh-key-v1" /* and its NUL */
#define LINE 70                /* base64 characters a line, as ssh-keygen writes */

/* Reserves room so a secret is not left behind in buffers realloc frees. */
static void reserve(struct strbuf *b, size_t n)
{
	static const char zero[1024];
	while (n) {
		size_t k = n < sizeof(zero) ? n : sizeof(zero);
		sb_add(b, zero, k);
		n -= k;
	}
	b->len = 0;
}

static int put_bn(EVP_PKEY *k, const char *name, struct strbuf *b)
{
	BIGNUM *bn = NULL;
	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
		return -EINVAL;
	ssh_put_mpint(b, bn);
	BN_clear_free(bn);
	return 0;
}

/* An Ed25519 key's secret as OpenSSH and dropbear keep it: the 32-byte
 * seed, then the 32-byte public key. */
static int ed25519_secret(EVP_PKEY *k, unsigned char sk[64])
{
	size_t len = 32, plen = 32;
	if (EVP_PKEY_get_raw_private_key(k, sk, &len) != 1 || len != 32 ||
	    EVP_PKEY_get_raw_public_key(k, sk + 32, &plen) != 1 || plen != 32) {
		OPENSSL_cleanse(sk, 64);
		return -EINVAL;
	}
	return 0;
}

/* The key's private fields after its public ones (PROTOCOL.key and
 * sshkey_private_serialize). */
static int put_private(EVP_PKEY *k, const struct ssh_key_kind *kind, struct strbuf *b, struct perr *err)
{
	int r = 0;
	ssh_put_cstring(b, kind->name);
	if (!strcmp(kind->name, "ssh-ed25519")) {
		unsigned char sk[64];
		if ((r = ed25519_secret(k, sk)) == 0) {
			ssh_put_string(b, sk + 32, 32);
			ssh_put_string(b, sk, 64);
			OPENSSL_cleanse(sk, sizeof(sk));
		}
	} else if (kind->curve) {
		struct strbuf pub = STRBUF_INIT;
		r = ssh_key_put_public_fields(k, &pub, err);
		sb_add(b, pub.s, pub.len);
		sb_free(&pub);
		if (r < 0)
			return r;
		r = put_bn(k, OSSL_PKEY_PARAM_PRIV_KEY, b);
	} else {
		/* ssh-rsa: n, e, d, iqmp, p, q */
		if (put_bn(k, OSSL_PKEY_PARAM_RSA_N, b) < 0 || put_bn(k, OSSL_PKEY_PARAM_RSA_E, b) < 0 ||
		    put_bn(k, OSSL_PKEY_PARAM_RSA_D, b) < 0 || put_bn(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, b) < 0 ||
		    put_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR1, b) < 0 || put_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR2, b) < 0)
			r = -EINVAL;
	}
	return r < 0 ? perr_set(err, r, "the %s key's private part cannot be read", kind->name) : 0;
}

int ssh_private_key_file(EVP_PKEY *k, const char *comment, char **ret, size_t *ret_len, struct perr *err)
{
	const struct ssh_key_kind *kind;
	struct strbuf pub = STRBUF_INIT, priv = STRBUF_INIT, file = STRBUF_INIT, text = STRBUF_INIT;
	char *b64 = NULL;
	int r;
	if ((r = ssh_key_kind(k, &kind, err)) < 0 || (r = ssh_key_put_blob(k, &pub, err)) < 0)
		goto out;
	reserve(&priv, 8192);
	reserve(&file, 8192);
	/* unencrypted, the check integers only have to agree: take them from
	 * the public key so the file is the same at every build */
	uint32_t check = 0;
	for (size_t i = 0; i < pub.len; i++)
		check = check * 31 + (unsigned char)pub.s[i];
	ssh_put_u32(&priv, check);
	ssh_put_u32(&priv, check);
	if ((r = put_private(k, kind, &priv, err)) < 0)
		goto out;
	ssh_put_cstring(&priv, comment ? comment : "");
	for (unsigned char pad = 1; priv.len % 8; pad++)
		sb_add(&priv, &pad, 1);
	sb_add(&file, MAGIC, sizeof(MAGIC));
	ssh_put_cstring(&file, "none");
	ssh_put_cstring(&file, "none");
	ssh_put_string(&file, NULL, 0);
	ssh_put_u32(&file, 1);
	ssh_put_string(&file, pub.s, pub.len);
	ssh_put_string(&file, priv.s, priv.len);
	if (pub.err || priv.err || file.err || !(b64 = pki_base64(file.s, file.len))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	size_t n = strlen(b64);
	reserve(&text, sizeof(BEGIN) + sizeof(END) + n + n / LINE + 2);
	sb_adds(&text, BEGIN);
	for (size_t i = 0; i < n; i += LINE) {
		sb_add(&text, b64 + i, n - i < LINE ? n - i : LINE);
		sb_add(&text, "\n", 1);
	}
	sb_adds(&text, END);
	if (text.err) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	*ret_len = text.len;
	*ret = sb_steal(&text);
out:
	if (b64)
		OPENSSL_clear_free(b64, strlen(b64));
	OPENSSL_cleanse(priv.s, priv.cap);
	OPENSSL_cleanse(file.s, file.cap);
	if (text.s)
		OPENSSL_cleanse(text.s, text.cap);
	sb_free(&pub);
	sb_free(&priv);
	sb_free(&file);
	sb_free(&text);
	return r;
}
