/* ssh_userkey: the operator's public key, the one line of authorized_keys
 * a node's `user` accepts.  It comes from RKE's keys as RKE reads them:
 * `ssh_key` (the private key inline in cluster.yml) first, else
 * `ssh_key_path`.  For a path, `PATH.pub` beside it is used when there is
 * one; else the public key is derived from the private key itself, so the
 * operator's existing key just works:
 *   - OpenSSH's own format ("openssh-key-v1") stores the public key in
 *     clear ahead of the (maybe encrypted) private part: no passphrase;
 *   - PEM keys (PKCS#8, traditional RSA/EC) are read with OpenSSL; an
 *     encrypted one needs its .pub beside it. */
#ifndef PADDOCK_SSH_USERKEY_H
#define PADDOCK_SSH_USERKEY_H

#include <stddef.h>

#include "perr.h"

/* The public key line ("TYPE BASE64\n", heap) of a private key's text;
 * what names it in messages. */
int ssh_public_of_private(const char *text, size_t len, const char *what, char **ret, struct perr *err);

/* Checks the first line of a .pub file's text ("TYPE BASE64 [COMMENT]":
 * the base64 must decode to a key blob of that TYPE) and returns it with
 * one newline at the end (heap). */
int ssh_public_line_check(const char *text, size_t len, const char *what, char **ret, struct perr *err);

/* The operator's public key line (heap) from inline_key (may be NULL) or
 * key_path ("~/" is $HOME).  When neither file can be read that is not an
 * error: *ret is NULL and *ret_warning (heap) says so.  A key file that is
 * there but unusable is an error. */
int ssh_operator_key(const char *inline_key, const char *key_path, char **ret, char **ret_warning,
		     struct perr *err);

/* "~/x" as "$HOME/x", anything else as it is (heap; NULL: out of memory). */
char *ssh_expand_home(const char *path);

#endif
