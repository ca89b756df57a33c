/* keys: private keys and random secrets with OpenSSL 3. */
#include "pki/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

int pki_ossl_fail(struct perr *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";
	if (e)
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	int code = ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE ? -ENOMEM : -EIO;
	return perr_set(err, code, "%s%s%s", what, *buf ? ": " : "", buf);
}

void pki_secret_free(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

struct pki_keys {
	EVP_PKEY_CTX *gen[PKI_KEY_TYPES];
	OSSL_DECODER_CTX *dec[PKI_KEY_TYPES];
	EVP_PKEY *decoded;      /* where dec[] put their key */
};

struct pki_keys *pki_keys_new(void)
{
	return calloc(1, sizeof(struct pki_keys));
}

void pki_keys_free(struct pki_keys *kc)
{
	for (int t = 0; kc && t < PKI_KEY_TYPES; t++) {
		EVP_PKEY_CTX_free(kc->gen[t]);
		OSSL_DECODER_CTX_free(kc->dec[t]);
	}
	free(kc);
}

static EVP_PKEY_CTX *gen_ctx(enum pki_key_type type)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type == PKI_KEY_ED25519 ? "ED25519" : "EC", NULL);
	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    (type == PKI_KEY_EC_P256 && EVP_PKEY_CTX_set_group_name(c, "P-256") <= 0)) {
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	return c;
}

int pki_key_generate(struct pki_keys *kc, enum pki_key_type type, EVP_PKEY **ret, struct perr *err)
{
	EVP_PKEY_CTX *c = kc ? kc->gen[type] : NULL;
	if (!c && (c = gen_ctx(type)) && kc)
		kc->gen[type] = c;
	EVP_PKEY *k = NULL;
	int ok = c && EVP_PKEY_generate(c, &k) > 0;
	if (!kc)
		EVP_PKEY_CTX_free(c);
	if (!ok)
		return pki_ossl_fail(err, "cannot generate a key");
	*ret = k;
	return 0;
}

/* A copy of what a memory BIO holds, NUL-terminated. */
static int bio_take(BIO *b, char **ret, struct perr *err)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s)
		return perr_set(err, -ENOMEM, "out of memory");
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	*ret = s;
	return 0;
}

int pki_key_to_pem(EVP_PKEY *key, char **ret, struct perr *err)
{
	BIO *b = BIO_new(BIO_s_secmem());
	int r = 0;
	/* "traditional" is SEC1 for EC; Ed25519 has PKCS#8 only */
	if (!b || !(EVP_PKEY_is_a(key, "EC") ? PEM_write_bio_PrivateKey_traditional(b, key, NULL, NULL, 0, NULL, NULL)
					     : PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)))
		r = pki_ossl_fail(err, "cannot encode a private key");
	else
		r = bio_take(b, ret, err);
	BIO_free(b);
	return r;
}

/* The type a PEM text is of, by its first line. */
static enum pki_key_type pem_type(const char *pem)
{
	return strncmp(pem, "-----BEGIN EC PRIVATE KEY-----", 30) ? PKI_KEY_ED25519 : PKI_KEY_EC_P256;
}

/* With a kept decoder for the type the text looks like. */
static EVP_PKEY *decode_kept(struct pki_keys *kc, const char *pem)
{
	enum pki_key_type t = pem_type(pem);
	if (!kc->dec[t])
		kc->dec[t] = OSSL_DECODER_CTX_new_for_pkey(&kc->decoded, "PEM",
							   t == PKI_KEY_EC_P256 ? "type-specific" : "PrivateKeyInfo",
							   t == PKI_KEY_EC_P256 ? "EC" : "ED25519",
							   OSSL_KEYMGMT_SELECT_KEYPAIR, NULL, NULL);
	const unsigned char *p = (const unsigned char *)pem;
	size_t len = strlen(pem);
	kc->decoded = NULL;
	if (!kc->dec[t] || !OSSL_DECODER_from_data(kc->dec[t], &p, &len)) {
		EVP_PKEY_free(kc->decoded);
		kc->decoded = NULL;
		ERR_clear_error();
	}
	EVP_PKEY *k = kc->decoded;
	kc->decoded = NULL;
	return k;
}

int pki_key_from_pem(struct pki_keys *kc, const char *pem, const char *name, EVP_PKEY **ret,
		     struct perr *err)
{
	EVP_PKEY *k = kc ? decode_kept(kc, pem) : NULL;
	if (!k) { /* any other form OpenSSL knows */
		BIO *b = BIO_new_mem_buf(pem, -1);
		k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
	}
	if (!k) {
		pki_ossl_fail(err, "not a private key");
		return perr_wrap(err, "%s", name);
	}
	*ret = k;
	return 0;
}

char *pki_base64(const void *buf, size_t len)
{
	if (len > (size_t)INT32_MAX / 2)
		return NULL;
	char *s = malloc(4 * ((len + 2) / 3) + 1);
	if (s)
		EVP_EncodeBlock((unsigned char *)s, buf, (int)len);
	return s;
}

int pki_random_base64(size_t n, char **ret, struct perr *err)
{
	unsigned char *buf = OPENSSL_secure_malloc(n ? n : 1);
	if (!buf)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = 0;
	if (RAND_bytes(buf, (int)n) != 1)
		r = pki_ossl_fail(err, "no random bytes");
	else if (!(*ret = pki_base64(buf, n)))
		r = perr_set(err, -ENOMEM, "out of memory");
	OPENSSL_secure_clear_free(buf, n ? n : 1);
	return r;
}
