/* audit_keyscan: finds private key material in file contents.
 *
 * Recognised: PEM blocks whose label ends in "PRIVATE KEY" (PKCS#1, SEC1,
 * PKCS#8, encrypted PKCS#8, OpenSSH's armoured format), the same blocks
 * base64-encoded once more (a kubeconfig's client-key-data), OpenSSH's
 * binary "openssh-key-v1" structure, and dropbear's Ed25519 key file (its
 * type name and 64 key bytes as SSH strings).  A marker alone is not a
 * key: a PEM block needs a base64 body and its END line, the binary forms
 * a well-formed header, so the strings inside ssh, libssh2 or OpenSSL do
 * not count.  ELF
 * files are not scanned: keys compiled into a program are its own test
 * vectors (GnuTLS carries FIPS self-test keys), not a cluster's secrets.
 *
 * Each key gets a fingerprint (SHA-256 of its label and encoded body) so the
 * same key found in two places is recognised; the fingerprint says nothing
 * about the key. */
#ifndef PADDOCK_AUDIT_KEYSCAN_H
#define PADDOCK_AUDIT_KEYSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "components/digest.h"

struct key_hit {
	char *path;                     /* the file it was found in */
	char *label;                    /* "EC PRIVATE KEY", "openssh-key-v1", ... */
	char fp[DIGEST_HEX_LEN + 1];
};

struct key_hits {
	struct key_hit *v;
	size_t n, cap;
	bool oom;
};

/* Streaming state for one file at a time. */
struct keyscan;

struct keyscan *keyscan_new(void);
/* Starts a file; hits found in it are appended to out with path. */
void keyscan_begin(struct keyscan *ks, const char *path, struct key_hits *out);
void keyscan_feed(struct keyscan *ks, const void *buf, size_t len);
void keyscan_end(struct keyscan *ks);
void keyscan_free(struct keyscan *ks);

/* The whole of buf at once. */
void keyscan_buf(const void *buf, size_t len, const char *path, struct key_hits *out);

void key_hits_add(struct key_hits *h, const char *path, const char *label, const char *fp);
void key_hits_clear(struct key_hits *h);

#endif
