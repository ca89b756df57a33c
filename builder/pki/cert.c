/* cert: X.509 issuance and checks. */
#include "pki/cert.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "pki/keys.h"

static X509_NAME *make_name(const struct pki_cert_spec *s)
{
	X509_NAME *n = X509_NAME_new();
	if (n && s->org &&
	    !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)s->org, -1, -1, 0))
		goto fail;
	if (n && !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)s->cn, -1, -1, 0))
		goto fail;
	return n;
fail:
	X509_NAME_free(n);
	return NULL;
}

/* One SAN: an IP address when it parses as one, else a DNS name (printable
 * ASCII only, so a name cannot smuggle anything into the extension). */
static GENERAL_NAME *make_san(const char *v)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OCTET_STRING *ip = g ? a2i_IPADDRESS(v) : NULL;
	if (ip) {
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
		return g;
	}
	for (const char *c = v; g && *c; c++)
		if (*c <= 0x20 || *c >= 0x7f)
			goto fail;
	ASN1_IA5STRING *dns = g && *v ? ASN1_IA5STRING_new() : NULL;
	if (!dns || !ASN1_STRING_set(dns, v, (int)strlen(v))) {
		ASN1_IA5STRING_free(dns);
		goto fail;
	}
	GENERAL_NAME_set0_value(g, GEN_DNS, dns);
	return g;
fail:
	GENERAL_NAME_free(g);
	return NULL;
}

static GENERAL_NAMES *make_sans(char *const *sans, const char **bad)
{
	GENERAL_NAMES *v = GENERAL_NAMES_new();
	for (size_t i = 0; v && sans && sans[i]; i++) {
		GENERAL_NAME *g = make_san(sans[i]);
		if (!g || !sk_GENERAL_NAME_push(v, g)) {
			*bad = sans[i];
			GENERAL_NAME_free(g);
			GENERAL_NAMES_free(v);
			return NULL;
		}
	}
	return v;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	int ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

static int set_serial(X509 *x)
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof b) != 1)
		return 0;
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40); /* positive, always 16 bytes */
	BIGNUM *bn = BN_bin2bn(b, sizeof b, NULL);
	int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok;
}

static int add_extensions(X509 *x, const struct pki_cert_spec *s, X509 *issuer, struct perr *err)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	/* the subject key id first: a self-signed certificate's authority key id is its own */
	int ok = add_ext(x, &ctx, NID_subject_key_identifier, "hash") &&
		 add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") &&
		 add_ext(x, &ctx, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
		 add_ext(x, &ctx, NID_key_usage,
			 s->ca ? "critical,digitalSignature,keyCertSign,cRLSign" : "critical,digitalSignature");
	if (ok && !s->ca)
		ok = add_ext(x, &ctx, NID_ext_key_usage, s->server ? "serverAuth,clientAuth" : "clientAuth");
	if (!ok)
		return pki_ossl_fail(err, "cannot add the certificate's extensions");
	if (!s->sans || !s->sans[0])
		return 0;
	const char *bad = NULL;
	GENERAL_NAMES *sans = make_sans(s->sans, &bad);
	if (!sans)
		return bad ? perr_set(err, -EINVAL, "'%s' is neither an IP address nor a DNS name", bad)
			   : perr_set(err, -ENOMEM, "out of memory");
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, sans, 0, X509V3_ADD_DEFAULT);
	GENERAL_NAMES_free(sans);
	return ok ? 0 : pki_ossl_fail(err, "cannot add the subject alternative names");
}

/* Puts key's public half into x.  For P-256 from its encoded point:
 * X509_set_pubkey would encode and decode the key again, which costs
 * OpenSSL 3.0 more than the rest of an issuance.  (x then holds no decoded
 * key object, so it is only ever handed out as PEM.) */
static int set_pubkey(X509 *x, EVP_PKEY *key)
{
	unsigned char point[65];
	size_t len = 0;
	char group[16];
	if (!EVP_PKEY_is_a(key, "EC") || !EVP_PKEY_get_group_name(key, group, sizeof group, NULL) ||
	    strcmp(group, "prime256v1") ||
	    !EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len))
		return X509_set_pubkey(x, key);
	unsigned char *copy = OPENSSL_memdup(point, len);
	if (!copy)
		return 0;
	if (!X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
				    OBJ_nid2obj(NID_X9_62_prime256v1), copy, (int)len)) {
		OPENSSL_free(copy);
		return 0;
	}
	return 1;
}

/* Whether c's public key is key's (by the encoded key: a certificate
 * issued here holds no decoded key object). */
static bool same_pubkey(X509 *c, EVP_PKEY *key)
{
	const unsigned char *bits;
	int blen;
	unsigned char point[65];
	size_t len = 0;
	if (!X509_PUBKEY_get0_param(NULL, &bits, &blen, NULL, X509_get_X509_PUBKEY(c)))
		return false;
	if (EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len))
		return (size_t)blen == len && !memcmp(bits, point, len);
	EVP_PKEY *pub = X509_get0_pubkey(c);
	return pub && EVP_PKEY_eq(pub, key) == 1;
}

static int to_pem(X509 *c, char **ret, struct perr *err)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int r = 0;
	if (!b || !PEM_write_bio_X509(b, c) || (n = BIO_get_mem_data(b, &data)) < 0)
		r = pki_ossl_fail(err, "cannot encode a certificate");
	else if (!(*ret = strndup(data, (size_t)n)))
		r = perr_set(err, -ENOMEM, "out of memory");
	BIO_free(b);
	return r;
}

int pki_cert_issue(const struct pki_cert_spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		   char **ret_pem, struct perr *err)
{
	X509 *x = X509_new();
	X509_NAME *name = make_name(s);
	int r = 0;
	if (!x || !name || !X509_set_version(x, X509_VERSION_3) || !set_serial(x) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
	    !set_pubkey(x, key) || !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after))
		r = pki_ossl_fail(err, "cannot make a certificate");
	else if ((r = add_extensions(x, s, issuer, err)) < 0)
		;
	else if (!X509_sign(x, issuer ? issuer_key : key, EVP_sha256()))
		r = pki_ossl_fail(err, "cannot sign a certificate");
	else
		r = to_pem(x, ret_pem, err);
	X509_NAME_free(name);
	X509_free(x);
	return r < 0 ? perr_wrap(err, "certificate %s", s->cn) : 0;
}

int pki_cert_from_pem(const char *pem, const char *name, X509 **ret, struct perr *err)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (!x) {
		pki_ossl_fail(err, "not a certificate");
		return perr_wrap(err, "%s", name);
	}
	*ret = x;
	return 0;
}

static bool same_sans(X509 *c, char *const *want)
{
	GENERAL_NAMES *have = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
	const char *bad = NULL;
	GENERAL_NAMES *w = want && want[0] ? make_sans(want, &bad) : NULL;
	int nh = have ? sk_GENERAL_NAME_num(have) : 0, nw = w ? sk_GENERAL_NAME_num(w) : 0;
	bool same = want && want[0] ? w && nh == nw : nh == 0;
	for (int i = 0; same && i < nw; i++) {
		bool found = false;
		for (int k = 0; k < nh && !found; k++)
			found = !GENERAL_NAME_cmp(sk_GENERAL_NAME_value(w, i), sk_GENERAL_NAME_value(have, k));
		same = found;
	}
	GENERAL_NAMES_free(have);
	GENERAL_NAMES_free(w);
	return same;
}

bool pki_cert_matches(X509 *c, const struct pki_cert_spec *s, X509 *issuer, EVP_PKEY *key)
{
	X509_NAME *name = make_name(s);
	bool ok = name && !X509_NAME_cmp(X509_get_subject_name(c), name);
	X509_NAME_free(name);
	if (!ok || !same_pubkey(c, key) || (X509_check_ca(c) > 0) != s->ca)
		return false;
	if (!s->ca && !!(X509_get_extended_key_usage(c) & XKU_SSL_SERVER) != s->server)
		return false;
	const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(c);
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(issuer ? issuer : c);
	if (!akid || !skid || ASN1_OCTET_STRING_cmp(akid, skid))
		return false;
	if (issuer && X509_NAME_cmp(X509_get_issuer_name(c), X509_get_subject_name(issuer)))
		return false;
	return same_sans(c, s->sans);
}

long long pki_cert_not_after(const X509 *c)
{
	struct tm tm;
	if (!ASN1_TIME_to_tm(X509_get0_notAfter(c), &tm))
		return 0;
	return (long long)timegm(&tm);
}
