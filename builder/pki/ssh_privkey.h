/* ssh_privkey: a host's private key in OpenSSH's own format
 * ("openssh-key-v1", PROTOCOL.key), the HostKey file sshd reads for every
 * key type: unencrypted and the same bytes for the same key at every
 * build. */
#ifndef PADDOCK_SSH_PRIVKEY_H
#define PADDOCK_SSH_PRIVKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "perr.h"

/* The OpenSSH key file's text in *ret (heap; wipe it with
 * OPENSSL_clear_free and *ret_len).  The check integers are taken from
 * the public key, not drawn at random. */
int ssh_private_key_file(EVP_PKEY *k, const char *comment, char **ret, size_t *ret_len, struct perr *err);

#endif
