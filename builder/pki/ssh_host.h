/* ssh_host: what the SSH side needs to know of a node of the plan — the
 * names a client reaches it by, its port and login, the operator's key —
 * and what ssh_config and known_hosts can hold of them. */
#ifndef PADDOCK_SSH_HOST_H
#define PADDOCK_SSH_HOST_H

#include <stddef.h>

#include "perr.h"
#include "plan/plan.h"
#include "strv.h"

struct ssh_host {
	const char *name;           /* the plan's node name: Host in ssh_config, HostKeyAlias */
	const char *address, *internal_address;
	const char *port;           /* "22" unless the file says otherwise */
	const char *user;           /* the node's `user`: its login, alone (ssh.h) */
	const char *ssh_key;        /* inline private key, or NULL */
	const char *ssh_key_path;   /* as written ("~/.ssh/id_rsa" by default) */
};

/* Node i of p.  Fails, naming the node, when a name, address or port
 * cannot be written into ssh_config and known_hosts as one word, the
 * user cannot be an account of the image, or the key path not in quotes. */
int ssh_host_of(const struct plan *p, size_t i, struct ssh_host *ret, struct perr *err);

/* Whether ssh_config can hold s in double quotes: no quote, no control
 * character (a newline would start a directive of its own). */
int ssh_quotable(const char *s);

/* The names a client may know the node by: its name, address and internal
 * address, each once, in that order (added to *names). */
void ssh_host_names(const struct ssh_host *h, struct strv *names);

#endif
