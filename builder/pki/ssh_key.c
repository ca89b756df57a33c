#include "pki/ssh_key.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include "pki/ssh_wire.h"

static const struct ssh_key_kind kinds[] = {
	{ "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", "ed25519", NULL,
	  "ssh-ed25519-cert-v01@openssh.com,ssh-ed25519" },
	{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp256", "ecdsa",
	  "nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp256" },
	{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp384", "ecdsa",
	  "nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp384" },
	{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521-cert-v01@openssh.com", "ecdsa-sha2-nistp521", "ecdsa",
	  "nistp521", "ecdsa-sha2-nistp521-cert-v01@openssh.com,ecdsa-sha2-nistp521" },
	/* never ssh-rsa (SHA-1) signatures */
	{ "ssh-rsa", "ssh-rsa-cert-v01@openssh.com", "rsa-sha2-512", "rsa", NULL,
	  "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-256" },
};

/* OpenSSL's names of the curves OpenSSH knows (RFC 5656 section 10.1). */
static const struct {
	const char *openssl, *ssh;
} curves[] = {
	{ "prime256v1", "nistp256" }, { "P-256", "nistp256" }, { "secp384r1", "nistp384" },
	{ "P-384", "nistp384" },      { "secp521r1", "nistp521" }, { "P-521", "nistp521" },
};

int ssh_key_kind(EVP_PKEY *k, const struct ssh_key_kind **ret, struct perr *err)
{
	if (EVP_PKEY_is_a(k, "ED25519")) {
		*ret = &kinds[0];
		return 0;
	}
	if (EVP_PKEY_is_a(k, "RSA")) {
		*ret = &kinds[4];
		return 0;
	}
	if (EVP_PKEY_is_a(k, "EC")) {
		char group[64];
		size_t len = 0;
		if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) != 1)
			return perr_set(err, -ENOTSUP, "an EC key without a named curve");
		for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
			if (!strcmp(group, curves[i].openssl))
				for (size_t j = 1; j <= 3; j++)
					if (!strcmp(kinds[j].curve, curves[i].ssh)) {
						*ret = &kinds[j];
						return 0;
					}
		return perr_set(err, -ENOTSUP, "EC curve %s: OpenSSH only takes P-256, P-384 and P-521", group);
	}
	return perr_set(err, -ENOTSUP, "a %s key: OpenSSH keys here are Ed25519, ECDSA or RSA",
			EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "unknown");
}

static int put_bn_param(EVP_PKEY *k, const char *name, struct strbuf *b, struct perr *err)
{
	BIGNUM *bn = NULL;
	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
		return perr_set(err, -EINVAL, "RSA key without %s", name);
	ssh_put_mpint(b, bn);
	BN_free(bn);
	return 0;
}

int ssh_key_put_public_fields(EVP_PKEY *k, struct strbuf *b, struct perr *err)
{
	const struct ssh_key_kind *kind;
	unsigned char pub[160];
	size_t len = sizeof(pub);
	int r = ssh_key_kind(k, &kind, err);
	if (r < 0)
		return r;
	if (kind->curve) {
		/* Q as an uncompressed point, 0x04 || x || y */
		if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &len) != 1 ||
		    !len || pub[0] != 0x04)
			return perr_set(err, -EINVAL, "ECDSA key: no uncompressed public point");
		ssh_put_cstring(b, kind->curve);
		ssh_put_string(b, pub, len);
	} else if (!strcmp(kind->name, "ssh-ed25519")) {
		if (EVP_PKEY_get_raw_public_key(k, pub, &len) != 1 || len != 32)
			return perr_set(err, -EINVAL, "Ed25519 key: no public key");
		ssh_put_string(b, pub, len);
	} else {
		/* ssh-rsa: e before n (RFC 4253 6.6) */
		if ((r = put_bn_param(k, OSSL_PKEY_PARAM_RSA_E, b, err)) < 0 ||
		    (r = put_bn_param(k, OSSL_PKEY_PARAM_RSA_N, b, err)) < 0)
			return r;
	}
	return b->err ? perr_set(err, b->err, "out of memory") : 0;
}

int ssh_key_put_blob(EVP_PKEY *k, struct strbuf *b, struct perr *err)
{
	const struct ssh_key_kind *kind;
	int r = ssh_key_kind(k, &kind, err);
	if (r < 0)
		return r;
	ssh_put_cstring(b, kind->name);
	return ssh_key_put_public_fields(k, b, err);
}

int ssh_key_public_line(EVP_PKEY *k, const char *comment, char **ret, struct perr *err)
{
	const struct ssh_key_kind *kind;
	struct strbuf blob = STRBUF_INIT;
	int r = ssh_key_kind(k, &kind, err);
	if (r < 0 || (r = ssh_key_put_blob(k, &blob, err)) < 0) {
		sb_free(&blob);
		return r;
	}
	char *b64 = ssh_base64(blob.s, blob.len);
	sb_free(&blob);
	if (!b64 || asprintf(ret, "%s %s%s%s\n", kind->name, b64, comment && *comment ? " " : "",
			     comment ? comment : "") < 0) {
		free(b64);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	free(b64);
	return 0;
}

static const EVP_MD *digest_of(const struct ssh_key_kind *kind)
{
	if (!kind->curve)
		return strcmp(kind->name, "ssh-rsa") ? NULL : EVP_sha512(); /* Ed25519 hashes itself */
	if (!strcmp(kind->curve, "nistp256"))
		return EVP_sha256();
	return !strcmp(kind->curve, "nistp384") ? EVP_sha384() : EVP_sha512();
}

/* DER ECDSA-Sig-Value -> the ecdsa_signature_blob of RFC 5656 3.1.2. */
static int put_ecdsa_sig(const unsigned char *der, size_t len, struct strbuf *b, struct perr *err)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	struct strbuf rs = STRBUF_INIT;
	if (!s)
		return perr_set(err, -EINVAL, "OpenSSL gave an unreadable ECDSA signature");
	ssh_put_mpint(&rs, ECDSA_SIG_get0_r(s));
	ssh_put_mpint(&rs, ECDSA_SIG_get0_s(s));
	ECDSA_SIG_free(s);
	ssh_put_string(b, rs.s, rs.len);
	int r = rs.err ? perr_set(err, rs.err, "out of memory") : 0;
	sb_free(&rs);
	return r;
}

int ssh_key_sign(EVP_PKEY *k, const void *data, size_t len, struct strbuf *sig, struct perr *err)
{
	const struct ssh_key_kind *kind;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *raw = NULL;
	size_t rlen = 0;
	int r = ssh_key_kind(k, &kind, err);
	if (r < 0)
		return r;
	if (!(ctx = EVP_MD_CTX_new()))
		return perr_set(err, -ENOMEM, "out of memory");
	if (EVP_DigestSignInit(ctx, NULL, digest_of(kind), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, NULL, &rlen, data, len) != 1) {
		r = perr_set(err, -EINVAL, "signing with the %s key failed", kind->name);
		goto out;
	}
	if (!(raw = malloc(rlen))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestSign(ctx, raw, &rlen, data, len) != 1) {
		r = perr_set(err, -EINVAL, "signing with the %s key failed", kind->name);
		goto out;
	}
	ssh_put_cstring(sig, kind->sig_name);
	if (kind->curve)
		r = put_ecdsa_sig(raw, rlen, sig, err);
	else
		ssh_put_string(sig, raw, rlen);
	if (r == 0 && sig->err)
		r = perr_set(err, sig->err, "out of memory");
out:
	EVP_MD_CTX_free(ctx);
	free(raw);
	return r;
}
