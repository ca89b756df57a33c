#include "pki/ssh_host.h"

#include <errno.h>
#include <string.h>

#include "config/config.h"

/* Accounts of the image itself (ssh_accounts.h). */
static const char *const reserved[] = { "root", "sshd", "nobody", "nogroup", "paddockctl", NULL };

/* A portable user name that no tool reads as an option or a number. */
static int portable_user(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 32 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* A name or address written into known_hosts and ssh_config as one word. */
static int plain_word(const char *s)
{
	return s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") == strlen(s);
}

int ssh_quotable(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == 0x7f)
			return 0;
	return 1;
}

int ssh_host_of(const struct plan *p, size_t i, struct ssh_host *ret, struct perr *err)
{
	const struct cluster *c = plan_cluster(p);
	const struct plan_node *pn = plan_node_at(p, i);
	if (!c || !pn || i >= c->nnodes)
		return perr_set(err, -EINVAL, "node %zu: not in the plan", i);
	const struct cfg_node *n = &c->nodes[i];
	const char *user = n->user ? n->user : "";
	for (size_t k = 0; reserved[k]; k++)
		if (!strcmp(user, reserved[k]))
			return perr_set(err, -EINVAL,
					"node %s: user '%s': %s", pn->name, user,
					k == 0 ? "paddock's sshd permits no root login; name another user"
					       : "the image has an account of that name; name another user");
	if (!portable_user(user))
		return perr_set(err, -EINVAL,
				"node %s: user '%s': not a user name (lower-case letters, digits, '_' and '-', "
				"at most 32, starting with a letter or '_')", pn->name, user);
	if (!strcmp(pn->name, "ssh_config") || !strcmp(pn->name, "known_hosts"))
		return perr_set(err, -EINVAL, "node %s: the output directory has a file of that name", pn->name);
	const char *words[] = { pn->name, pn->address, pn->internal_address, n->port ? n->port : "22" };
	for (size_t k = 0; k < 4; k++)
		if (!plain_word(words[k]))
			return perr_set(err, -EINVAL, "node %s: '%s' cannot be written into ssh_config and known_hosts",
					pn->name, words[k] ? words[k] : "");
	if (!ssh_quotable(n->ssh_key_path))
		return perr_set(err, -EINVAL, "node %s: ssh_key_path: a quote or control character", pn->name);
	*ret = (struct ssh_host){
		.name = pn->name, .address = pn->address, .internal_address = pn->internal_address,
		.port = n->port && *n->port ? n->port : "22", .user = user,
		.ssh_key = n->ssh_key && *n->ssh_key ? n->ssh_key : NULL, .ssh_key_path = n->ssh_key_path,
	};
	return 0;
}

void ssh_host_principals(const struct ssh_host *h, struct strv *names)
{
	const char *all[] = { h->name, h->address, h->internal_address };
	for (size_t k = 0; k < 3; k++)
		if (all[k] && *all[k] && !strv_contains(names, all[k]))
			strv_add(names, all[k]);
}
