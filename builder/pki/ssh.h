/* ssh: what `paddock build` gets from the SSH side.
 *
 * Per node, in its node layer (ssh_node.c):
 *   /etc/ssh/ssh_host_<type>_key            0600  the host key from the state file
 *   /etc/ssh/ssh_host_<type>_key.pub        0644
 *   /etc/ssh/ssh_host_<type>_key-cert.pub   0644  signed by the cluster's SSH CA for
 *                                                 the node's name, address, internal address
 *   /etc/ssh/sshd_config                    0644  ssh_sshd_config.h
 *   /etc/ssh/authorized_keys/<user>         0644  the operator's key (ssh_userkey.h)
 *   /etc/passwd, /etc/group, /etc/shadow    0644, 0644, 0600 (ssh_accounts.h)
 *
 * For the operator, in OUT (ssh_client.c), both 0600:
 *   known_hosts   @cert-authority <every node's names> <SSH CA key>, then
 *                 each node's own host key line
 *   ssh_config    a Host per node (ssh_config.5): HostName, Port, User,
 *                 HostKeyAlias (the node name, which its certificate names,
 *                 so the check holds however the node is reached),
 *                 IdentityFile, StrictHostKeyChecking yes, known_hosts
 *                 beside it, ProxyJump through bastion_host when set.
 *
 * Host certificates are kept in the node's "ssh_host_cert" slot of the
 * state file and issued again only when the CA, the host key or the
 * node's names change or fewer than 30 days are left; they are valid for
 * ten years from a day before `now` (clients' clocks may lag). */
#ifndef PADDOCK_SSH_H
#define PADDOCK_SSH_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"
#include "pki/state.h"
#include "plan/plan.h"
#include "strv.h"

struct ssh_build {
	struct pki_state *st;
	const struct plan *p;
	long long now;          /* SOURCE_DATE_EPOCH, or the clock when it is not set */
};

/* Takes a file for the node layer; data is the taker's from then on,
 * also on failure.  Returns 0 or a negative errno. */
typedef int (*ssh_file_fn)(void *ctx, const char *path, char *data, size_t len, mode_t mode);

/* The SSH files of node i, each handed to add.  A node whose operator
 * key cannot be found gets no authorized_keys, and *ret_warning (heap)
 * says so. */
int ssh_node_files(const struct ssh_build *b, size_t i, ssh_file_fn add, void *ctx, char **ret_warning,
		   struct perr *err);

/* Writes dir/known_hosts and dir/ssh_config (0600) and adds their names
 * to *added.  out_name is OUT's last component: ssh_config names
 * "<out_name>/known_hosts" and "known_hosts" as UserKnownHostsFile, so it
 * works from OUT's parent and from OUT itself, wherever OUT is moved. */
int ssh_client_files(const struct ssh_build *b, const char *dir, const char *out_name, struct strv *added,
		     struct perr *err);

#endif
