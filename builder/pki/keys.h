/* keys: the cluster's private keys with OpenSSL 3 (EVP only): generation,
 * PEM in and out, random secrets.
 *
 * X.509 keys are ECDSA P-256: fast to make (a thousand nodes in well under
 * a second, where RSA-2048 would take minutes) and read by every
 * Kubernetes component and etcd.  SSH keys are Ed25519: ssh-audit fails
 * NIST-curve host keys. */
#ifndef PADDOCK_PKI_KEYS_H
#define PADDOCK_PKI_KEYS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "perr.h"

enum pki_key_type { PKI_KEY_EC_P256, PKI_KEY_ED25519, PKI_KEY_TYPES };

/* OpenSSL contexts kept for the next key: OpenSSL 3 spends most of a key
 * generation or PEM decoding on setting them up (a decoding costs a
 * sixteenth of a fresh one).  NULL works everywhere, only slower. */
struct pki_keys;
struct pki_keys *pki_keys_new(void);
void pki_keys_free(struct pki_keys *kc);

int pki_key_generate(struct pki_keys *kc, enum pki_key_type type, EVP_PKEY **ret, struct perr *err);

/* PEM of the private key: SEC1 "EC PRIVATE KEY" for EC keys (what
 * Kubernetes' key parsers accept everywhere, the service-account key
 * included), PKCS#8 otherwise.  Free with pki_secret_free. */
int pki_key_to_pem(EVP_PKEY *key, char **ret, struct perr *err);
/* A private key from PEM (SEC1 or PKCS#8); name is for messages. */
int pki_key_from_pem(struct pki_keys *kc, const char *pem, const char *name, EVP_PKEY **ret,
		     struct perr *err);

/* n random bytes, base64 (no newline).  Free with pki_secret_free. */
int pki_random_base64(size_t n, char **ret, struct perr *err);
/* Base64 of buf[0..len) (no newline), or NULL when out of memory. */
char *pki_base64(const void *buf, size_t len);

/* Wipes and frees a NUL-terminated secret (NULL is fine). */
void pki_secret_free(char *s);

/* Fails with what went wrong, the oldest OpenSSL error attached (the
 * queue is emptied); returns -EIO, or -ENOMEM when OpenSSL ran out. */
int pki_ossl_fail(struct perr *err, const char *what);

#endif
