/* keys: private keys and random secrets with OpenSSL 3. */
#include "pki/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
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

int pki_key_generate(enum pki_key_type type, EVP_PKEY **ret, struct perr *err)
{
	EVP_PKEY *k = type == PKI_KEY_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
					      : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!k)
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
	/* "type-specific" is SEC1 for EC; Ed25519 has only PKCS#8 */
	const char *structure = EVP_PKEY_is_a(key, "EC") ? "type-specific" : "PrivateKeyInfo";
	OSSL_ENCODER_CTX *ctx = OSSL_ENCODER_CTX_new_for_pkey(key, OSSL_KEYMGMT_SELECT_ALL, "PEM", structure,
								NULL);
	BIO *b = BIO_new(BIO_s_secmem());
	int r = 0;
	if (!ctx || !b || OSSL_ENCODER_CTX_get_num_encoders(ctx) == 0 || !OSSL_ENCODER_to_bio(ctx, b))
		r = pki_ossl_fail(err, "cannot encode a private key");
	else
		r = bio_take(b, ret, err);
	OSSL_ENCODER_CTX_free(ctx);
	BIO_free(b);
	return r;
}

int pki_key_from_pem(const char *pem, const char *name, EVP_PKEY **ret, struct perr *err)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
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
