/* cert: X.509 certificates for the cluster, issued and checked with
 * OpenSSL 3.  Serial numbers are 127 random bits; every certificate
 * carries subject and authority key identifiers, so a leaf is tied to the
 * very CA key that signed it (a CA re-made under the same name is told
 * apart). */
#ifndef PADDOCK_PKI_CERT_H
#define PADDOCK_PKI_CERT_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "perr.h"

struct pki_cert_spec {
	const char *cn;
	const char *org;        /* NULL: none */
	char *const *sans;      /* NULL-terminated DNS names and IP addresses; NULL: none */
	bool ca;                /* signs certificates: keyCertSign, no extended usage */
	bool server;            /* serverAuth besides clientAuth */
	long long not_before, not_after; /* seconds since the epoch */
};

/* Issues a certificate to key's public half, signed by issuer_key under
 * issuer's name (issuer NULL: self-signed with key); its PEM in *ret_pem. */
int pki_cert_issue(const struct pki_cert_spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		   char **ret_pem, struct perr *err);

/* name is for messages. */
int pki_cert_from_pem(const char *pem, const char *name, X509 **ret, struct perr *err);

/* Whether c is what s asks for (subject, SANs, CA or server use), for key,
 * signed by issuer's key (issuer NULL: by key itself).  The validity
 * period is not looked at. */
bool pki_cert_matches(X509 *c, const struct pki_cert_spec *s, X509 *issuer, EVP_PKEY *key);

/* The end of c's validity, seconds since the epoch. */
long long pki_cert_not_after(const X509 *c);

#endif
