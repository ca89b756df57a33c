/* ssh_sshd_config: a node's /etc/ssh/sshd_config.  Keys only, for the
 * node's `user` alone, no root, no forwarding of any kind, and only the
 * key exchanges, ciphers and MACs ssh-audit passes.  `sshd -T` in the
 * guest shows the effective settings; `paddock audit` reads this file. */
#ifndef PADDOCK_SSH_SSHD_CONFIG_H
#define PADDOCK_SSH_SSHD_CONFIG_H

#include "perr.h"

struct sshd_settings {
	const char *node;               /* for the header comment */
	const char *user;               /* AllowUsers */
	const char *port;               /* Port: the node's `port` (1-65535), NULL: 22 */
	const char *host_key;           /* HostKey path */
	const char *host_cert;          /* HostCertificate path */
	const char *host_algorithms;    /* HostKeyAlgorithms for that key */
};

/* The file's text (heap). */
int sshd_config_text(const struct sshd_settings *s, char **ret, struct perr *err);

#endif
