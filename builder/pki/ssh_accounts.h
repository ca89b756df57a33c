/* ssh_accounts: the accounts of a node — /etc/passwd, /etc/group and
 * /etc/shadow of its node layer, which the sshd service also mounts.
 *
 *   root        uid 0; no login (PermitRootLogin no)
 *   sshd        sshd's privilege separation user (/run/sshd)
 *   nobody
 *   USER        the node's `user`, uid/gid 1000, home /, shell /bin/sh;
 *               member of group paddockctl, which alone may run the
 *               setuid paddockctl in the sshd image (os-services/images/
 *               sshd.list gives /usr/bin/paddockctl that group)
 *
 * No account has a usable password: each is '*' in /etc/shadow (not '!':
 * with UsePAM no, sshd refuses even key logins to a '!' account). */
#ifndef PADDOCK_SSH_ACCOUNTS_H
#define PADDOCK_SSH_ACCOUNTS_H

#include "perr.h"

#define SSH_USER_UID 1000
#define SSH_PADDOCKCTL_GID 990

struct ssh_accounts {
	char *passwd, *group, *shadow;
};

/* The three files for a node whose login is user (ssh_host.h checked the
 * name). */
int ssh_accounts_make(const char *user, struct ssh_accounts *ret, struct perr *err);
void ssh_accounts_free(struct ssh_accounts *a);

#endif
