/* ssh_cert: OpenSSH host certificates (PROTOCOL.certkeys, "-cert-v01"),
 * signed by the cluster's SSH CA, so a client trusts every node through
 * one @cert-authority line in known_hosts. */
#ifndef PADDOCK_SSH_CERT_H
#define PADDOCK_SSH_CERT_H

#include <stdint.h>

#include <openssl/evp.h>

#include "perr.h"

struct ssh_cert_request {
	EVP_PKEY *key;               /* the host key (its public part is certified) */
	EVP_PKEY *ca;                /* the SSH CA's private key */
	const char *key_id;          /* shown by ssh-keygen -L and in sshd's logs */
	char *const *principals;     /* NULL-terminated: the names clients may use */
	uint64_t serial;
	uint64_t valid_after, valid_before; /* seconds since the epoch */
};

/* The certificate as a line of a -cert.pub file ("TYPE BASE64 COMMENT\n",
 * heap), with a random nonce. */
int ssh_host_cert(const struct ssh_cert_request *q, const char *comment, char **ret, struct perr *err);

#endif
