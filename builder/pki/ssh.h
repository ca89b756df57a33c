/* ssh: what `paddock build` gets from the SSH side.  The node's SSH
 * server is Debian's OpenSSH (the sshd os-service), keys only, for the
 * node's RKE `user` alone, with its host key from the state file and a
 * host certificate the cluster's SSH CA signed, so the operator checks
 * every node strictly from the first connection on.
 *
 * Per node, in its node layer (ssh_node.c):
 *   SSH_HOST_KEY                 0600 root  the node's Ed25519 host key (state.h),
 *                                           in OpenSSH's format (ssh_privkey.h)
 *   SSH_HOST_KEY.pub             0644       its public key line
 *   SSH_HOST_KEY-cert.pub        0644       its host certificate (ssh_cert.h) for
 *                                           the node's name, address, internal address
 *   /etc/ssh/sshd_config         0644       ssh_sshd_config.h
 *   /etc/ssh/authorized_keys/USER 0644      the operator's public key (ssh_userkey.h),
 *                                           after SSH_KEY_OPTIONS
 *   /etc/passwd, /etc/group,     0644, 0644, 0600 (ssh_accounts.h): USER, in
 *   /etc/shadow                             group paddockctl; no usable password
 * os-services/sshd.yml mounts /etc/ssh and the accounts into the sshd
 * container.
 *
 * For the operator, in OUT (ssh_client.c; pki_operator_files writes them):
 *   known_hosts   an @cert-authority line for the cluster's SSH CA under
 *                 every node's names, then each node's own host key
 *   ssh_config    a Host per node (ssh_config.5): HostName, Port, User (the
 *                 node's `user`), HostKeyAlias (the node name, which its
 *                 certificate names, so the check holds however the node
 *                 is reached), IdentityFile, StrictHostKeyChecking yes,
 *                 known_hosts beside it, ProxyJump through bastion_host
 *                 when set.
 *
 * Host certificates are kept in the node's PKI_SLOT_SSH_HOST_CERT slot
 * of the state file and issued again only when the CA, the host key or
 * the node's names change or fewer than 30 days are left; they are valid
 * for ten years from a day before the build (clients' clocks may lag). */
#ifndef PADDOCK_SSH_H
#define PADDOCK_SSH_H

#include <stddef.h>

#include "pki/appl_files.h"
#include "perr.h"
#include "pki/state.h"
#include "plan/plan.h"

/* Fixed: os-services/sshd.yml, the plan (plan_layer.c) and the audit name
 * them too. */
#define SSH_HOST_KEY "/etc/ssh/ssh_host_ed25519_key"
#define SSH_HOST_CERT SSH_HOST_KEY "-cert.pub"
#define SSH_SSHD_CONFIG "/etc/ssh/sshd_config"
#define SSH_AUTHORIZED_KEYS_DIR "/etc/ssh/authorized_keys"
/* What the operator's key may not do, whatever sshd_config says. */
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
