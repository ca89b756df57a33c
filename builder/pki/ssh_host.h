/* ssh_host: what the SSH side needs to know of a node of the plan — the
 * names a client reaches it by, its port and login user, the operator's
 * key — and the rules paddock puts on them. */
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
	const char *user;           /* the node's login: RKE's `user` */
	const char *ssh_key;        /* inline private key, or NULL */
	const char *ssh_key_path;   /* as written ("~/.ssh/id_rsa" by default) */
};

/* Node i of p.  Fails, naming the node, when its user cannot be the
 * node's login (root: sshd permits no root login; a name the image keeps
 * for itself; not a portable user name), when a name or address cannot
 * be written into ssh_config and known_hosts, or when the node's
 * directory in OUT would take the name of one of those two files. */
int ssh_host_of(const struct plan *p, size_t i, struct ssh_host *ret, struct perr *err);

/* Whether ssh_config can hold s in double quotes: no quote, no control
 * character (a newline would start a directive of its own). */
int ssh_quotable(const char *s);

/* The names a host certificate is valid for: the node name, address and
 * internal address, each once, in that order (added to *names). */
void ssh_host_principals(const struct ssh_host *h, struct strv *names);

#endif
