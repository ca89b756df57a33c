/* ssh_privkey: a private key in OpenSSH's own file format
 * ("openssh-key-v1", PROTOCOL.key), unencrypted: a HostKey file sshd
 * reads for every key type, whatever its OpenSSL can parse as PEM. */
#ifndef PADDOCK_SSH_PRIVKEY_H
#define PADDOCK_SSH_PRIVKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "perr.h"

/* The key file's text in *ret (heap; wipe it with OPENSSL_clear_free and
 * *ret_len).  The same key gives the same bytes: the check integers are
 * taken from the public key, not drawn at random. */
int ssh_private_key_file(EVP_PKEY *k, const char *comment, char **ret, size_t *ret_len, struct perr *err);

#endif
