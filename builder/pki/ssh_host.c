#include "pki/ssh_host.h"

#include <errno.h>
#include <string.h>

#include "config/config.h"

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

/* An account name the image can have: a letter or '_' first, then
 * letters, digits, '_' and '-', at most 32; none of the image's own. */
static int account_name(const char *s)
{
	static const char *const taken[] = { "root", "sshd", "nobody", "paddockctl", NULL };
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 32 || !strchr("abcdefghijklmnopqrstuvwxyz_", *s) ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return 0;
	for (size_t k = 0; taken[k]; k++)
		if (!strcmp(s, taken[k]))
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
	const char *words[] = { pn->name, pn->address, pn->internal_address, n->port ? n->port : "22" };
	for (size_t k = 0; k < 4; k++)
		if (!plain_word(words[k]))
			return perr_set(err, -EINVAL, "node %s: '%s' cannot be written into ssh_config and known_hosts",
					pn->name, words[k] ? words[k] : "");
	if (!account_name(n->user))
		return perr_set(err, -EINVAL,
				"node %s: user '%s' cannot be the node's login (a lower-case account name, "
				"not root, sshd, nobody or paddockctl)", pn->name, n->user ? n->user : "");
	if (!ssh_quotable(n->ssh_key_path))
		return perr_set(err, -EINVAL, "node %s: ssh_key_path: a quote or control character", pn->name);
	*ret = (struct ssh_host){
		.name = pn->name, .address = pn->address, .internal_address = pn->internal_address,
		.port = n->port && *n->port ? n->port : "22", .user = n->user,
		.ssh_key = n->ssh_key && *n->ssh_key ? n->ssh_key : NULL, .ssh_key_path = n->ssh_key_path,
	};
	return 0;
}

void ssh_host_names(const struct ssh_host *h, struct strv *names)
{
	const char *all[] = { h->name, h->address, h->internal_address };
	for (size_t k = 0; k < 3; k++)
		if (all[k] && *all[k] && !strv_contains(names, all[k]))
			strv_add(names, all[k]);
}
