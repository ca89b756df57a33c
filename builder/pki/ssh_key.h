/* ssh_key: an OpenSSL key as OpenSSH sees it — its public key blob
 * (RFC 4253 6.6 ssh-rsa, RFC 5656 ecdsa-sha2-nistp*, RFC 8709 ssh-ed25519),
 * its public key line, and SSH signatures made with it.  OpenSSL does the
 * signing; this only lays out the bytes. */
#ifndef PADDOCK_SSH_KEY_H
#define PADDOCK_SSH_KEY_H

#include <openssl/evp.h>

#include "perr.h"
#include "strbuf.h"

/* What OpenSSH calls a key of one kind. */
struct ssh_key_kind {
	const char *name;       /* "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" */
	const char *cert_name;  /* "ssh-ed25519-cert-v01@openssh.com", ... */
	const char *sig_name;   /* signature algorithm: "rsa-sha2-512" for RSA */
	const char *stem;       /* host key file stem: "ed25519", "ecdsa", "rsa" */
	const char *curve;      /* "nistp256", ...; NULL when not ECDSA */
	const char *host_algorithms; /* sshd's HostKeyAlgorithms for a certified host key */
};

/* The kind of k, or -ENOTSUP (with a message) for a key OpenSSH has no
 * format for here (DSA, other curves). */
int ssh_key_kind(EVP_PKEY *k, const struct ssh_key_kind **ret, struct perr *err);

/* Appends the fields of k's public key after its type name (what a
 * certificate embeds) to b. */
int ssh_key_put_public_fields(EVP_PKEY *k, struct strbuf *b, struct perr *err);
/* Appends k's public key blob (type name, then the fields) to b. */
int ssh_key_put_blob(EVP_PKEY *k, struct strbuf *b, struct perr *err);

/* "TYPE BASE64[ COMMENT]\n" in *ret (heap): a line of authorized_keys,
 * of a .pub file, and (after the host names) of known_hosts. */
int ssh_key_public_line(EVP_PKEY *k, const char *comment, char **ret, struct perr *err);

/* Signs data with k as an SSH signature blob (string algorithm, then the
 * signature in that algorithm's layout) appended to sig.  ECDSA's DER
 * signature from OpenSSL becomes the mpints r and s; RSA signs with
 * rsa-sha2-512. */
int ssh_key_sign(EVP_PKEY *k, const void *data, size_t len, struct strbuf *sig, struct perr *err);

#endif
