/* ssh_privkey: a host's private key in the files SSH servers read, both
 * unencrypted and the same bytes for the same key at every build:
 *   - OpenSSH's own format ("openssh-key-v1", PROTOCOL.key), the HostKey
 *     file sshd reads for every key type;
 *   - dropbear's (what `dropbearconvert openssh dropbear` writes, what
 *     `dropbear -r` reads): no armour, no header, only the key's SSH wire
 *     fields.  For Ed25519 (dropbear 2022.83, ed25519.c) that is the
 *     string "ssh-ed25519" and a string of the 32-byte seed followed by
 *     the 32-byte public key; the test compares it with dropbearconvert's. */
#ifndef PADDOCK_SSH_PRIVKEY_H
#define PADDOCK_SSH_PRIVKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "perr.h"

/* The OpenSSH key file's text in *ret (heap; wipe it with
 * OPENSSL_clear_free and *ret_len).  The check integers are taken from
 * the public key, not drawn at random. */
int ssh_private_key_file(EVP_PKEY *k, const char *comment, char **ret, size_t *ret_len, struct perr *err);

/* dropbear's key file of an Ed25519 key in *ret (heap, binary; wipe it
 * with OPENSSL_clear_free and *ret_len); -ENOTSUP for another type. */
int ssh_dropbear_key_file(EVP_PKEY *k, char **ret, size_t *ret_len, struct perr *err);

#endif
