#include "pki/ssh_sshd_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/ssh.h"

/* Why each line is there, for the reader of the image:
 * - keys only: no passwords, no keyboard-interactive (so no PAM prompt),
 *   no host-based or GSSAPI login, and UsePAM no (no PAM stack in the
 *   image; accounts are locked with '*', which sshd then checks itself);
 * - the node's user alone: AllowUsers, PermitRootLogin no, and its keys
 *   only from a root-owned file (AuthorizedKeysFile), never from ~;
 * - nothing forwarded: X11, agent, TCP, unix sockets, tunnels;
 * - algorithms: curve25519/sntrup761 key exchange, AEAD or CTR ciphers,
 *   encrypt-then-MAC SHA-2 MACs, the host key's own algorithms (with its
 *   certificate first): what ssh-audit reports no failure for;
 * - no banner details (DebianBanner no), no DNS lookups, logs at VERBOSE
 *   (the fingerprint of each key that logs in). */
static const char fmt[] =
	"# /etc/ssh/sshd_config of node %s, written by paddock build: keys only,\n"
	"# user %s only, nothing forwarded.  `sshd -T` shows every effective setting.\n"
	"Port %s\n"
	"HostKey %s\n"
	"HostCertificate %s\n"
	"HostKeyAlgorithms %s\n"
	"KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org\n"
	"Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
	"aes256-ctr,aes192-ctr,aes128-ctr\n"
	"MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com\n"
	"RequiredRSASize 2048\n"
	"\n"
	"AllowUsers %s\n"
	"PermitRootLogin no\n"
	"AuthenticationMethods publickey\n"
	"PubkeyAuthentication yes\n"
	"PasswordAuthentication no\n"
	"KbdInteractiveAuthentication no\n"
	"PermitEmptyPasswords no\n"
	"HostbasedAuthentication no\n"
	"GSSAPIAuthentication no\n"
	"KerberosAuthentication no\n"
	"UsePAM no\n"
	"AuthorizedKeysFile " SSH_AUTHORIZED_KEYS_DIR "/%%u\n"
	"AuthorizedPrincipalsFile none\n"
	"IgnoreRhosts yes\n"
	"StrictModes yes\n"
	"MaxAuthTries 3\n"
	"LoginGraceTime 30\n"
	"PermitUserEnvironment no\n"
	"PermitUserRC no\n"
	"\n"
	"X11Forwarding no\n"
	"AllowAgentForwarding no\n"
	"AllowTcpForwarding no\n"
	"AllowStreamLocalForwarding no\n"
	"GatewayPorts no\n"
	"PermitTunnel no\n"
	"\n"
	"ClientAliveInterval 300\n"
	"ClientAliveCountMax 2\n"
	"Compression no\n"
	"UseDNS no\n"
	"DebianBanner no\n"
	"PrintMotd no\n"
	"PrintLastLog no\n"
	"PidFile none\n"
	"LogLevel VERBOSE\n";

/* Whether p is a TCP port in decimal, 1-65535. */
static bool tcp_port(const char *p)
{
	char *end = NULL;
	unsigned long v = strtoul(p, &end, 10);
	return *p >= '1' && *p <= '9' && !*end && strlen(p) <= 5 && v <= 65535;
}

int sshd_config_text(const struct sshd_settings *s, char **ret, struct perr *err)
{
	/* the port ssh_config names for the node (ssh_client.c): sshd listens there */
	const char *port = s->port && *s->port ? s->port : "22";
	if (!tcp_port(port))
		return perr_set(err, -EINVAL, "node %s: port '%s' is not a TCP port (1-65535)", s->node, port);
	if (asprintf(ret, fmt, s->node, s->user, port, s->host_key, s->host_cert, s->host_algorithms, s->user) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}
