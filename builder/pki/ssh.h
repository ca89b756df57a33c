/* ssh: what `paddock build` gets from the SSH side.  The node's SSH
 * server is dropbear (the sshd os-service), given the node's host key from
 * the state file, so the operator checks it strictly from the first
 * connection on.
 *
 * Per node, in its node layer (ssh_node.c):
 *   SSH_HOST_KEY          0600 root  the node's Ed25519 host key (state.h),
 *                                    in dropbear's format (ssh_privkey.h)
 *   SSH_HOST_KEY.pub      0644       its public key line
 *   SSH_AUTHORIZED_KEYS   0644       the operator's public key (ssh_userkey.h),
 *                                    after SSH_KEY_OPTIONS
 * os-services/sshd.yml mounts the key and authorized_keys into the sshd
 * container and runs `dropbear -r SSH_HOST_KEY`.
 *
 * For the operator, in OUT (ssh_client.c; pki_operator_files writes them):
 *   known_hosts   each node's host key under its names; an @cert-authority
 *                 line for the cluster's SSH CA, which signs nothing yet
 *                 (dropbear shows no certificates) and changes nothing for
 *                 plain host keys
 *   ssh_config    a Host per node (ssh_config.5): HostName, Port, User,
 *                 HostKeyAlias (the node name, so the check holds however
 *                 the node is reached), IdentityFile, StrictHostKeyChecking
 *                 yes, known_hosts beside it, ProxyJump through
 *                 bastion_host when set.
 *
 * The login is root (SSH_LOGIN), whatever RKE's `user` says: the image has
 * no account of the node's `user` yet, and what a session is for today
 * (paddockctl, the host's processes, System Docker) needs root.  Keys only:
 * dropbear -s refuses passwords. */
#ifndef PADDOCK_SSH_H
#define PADDOCK_SSH_H

#include <stddef.h>

#include "image/appliance.h"
#include "perr.h"
#include "pki/state.h"
#include "plan/plan.h"

/* Fixed: os-services/sshd.yml, the plan (plan_layer.c) and the audit name
 * them too. */
#define SSH_HOST_KEY "/etc/dropbear/dropbear_ed25519_host_key"
#define SSH_LOGIN "root"
#define SSH_AUTHORIZED_KEYS "/etc/ssh/authorized_keys/" SSH_LOGIN
/* What dropbear has no command-line switch for (agent forwarding), and
 * what its -j -k already refuse, for the key itself; OpenSSH reads them
 * too. */
#define SSH_KEY_OPTIONS "no-agent-forwarding,no-X11-forwarding,no-port-forwarding"

/* Adds node i's SSH files to out.  A node whose operator key cannot be
 * found gets no authorized_keys, and *ret_warning (heap) says so. */
int ssh_node_files(struct pki_state *st, const struct plan *p, size_t i, struct appl_files *out,
		   char **ret_warning, struct perr *err);

/* The texts of known_hosts and ssh_config (heap).  out_name is OUT's last
 * component: ssh_config names "<out_name>/known_hosts" and "known_hosts"
 * as UserKnownHostsFile, so it works from OUT's parent and from OUT
 * itself, wherever OUT is moved. */
int ssh_client_texts(struct pki_state *st, const struct plan *p, const char *out_name, char **ret_known_hosts,
		     char **ret_ssh_config, struct perr *err);

#endif
