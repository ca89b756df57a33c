/* ssh_client: the texts of the operator's known_hosts and ssh_config (ssh.h). */
#include "pki/ssh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "pki/ssh_host.h"
#include "pki/ssh_key.h"
#include "strbuf.h"

#define BASTION_HOST "paddock-bastion"

/* The patterns a client may look a node up by: its names, and for a port
 * other than 22 also "[address]:port", as ssh writes those. */
static void host_patterns(const struct ssh_host *h, struct strbuf *b)
{
	struct strv names = STRV_INIT;
	ssh_host_names(h, &names);
	for (size_t k = 0; k < names.n; k++)
		sb_printf(b, "%s%s", k ? "," : "", names.v[k]);
	if (strcmp(h->port, "22"))
		for (size_t k = 0; k < names.n; k++)
			sb_printf(b, ",[%s]:%s", names.v[k], h->port);
	if (names.oom)
		b->err = -ENOMEM;
	strv_clear(&names);
}

static int key_line(EVP_PKEY *k, const char *comment, struct strbuf *b, struct perr *err)
{
	char *line = NULL;
	int r = ssh_key_public_line(k, comment, &line, err);
	if (r == 0)
		sb_adds(b, line);
	free(line);
	return r;
}

static int known_hosts(struct pki_state *st, const struct plan *p, const struct ssh_host *hosts, size_t n,
		       struct strbuf *kh, struct perr *err)
{
	const char *cluster = plan_cluster_name(p);
	EVP_PKEY *ca = pki_ssh_ca_key(st);
	char *comment = NULL;
	int r;
	if (!ca) {
		const struct perr *e = pki_state_error(st);
		return perr_set(err, e->code ? e->code : -EIO, "SSH CA key: %s", e->msg ? e->msg : "failed");
	}
	/* the CA line first: with the nodes' host certificates it is all a client needs */
	sb_printf(kh, "# known_hosts of cluster %s, written by paddock build: the cluster's\n"
		      "# SSH CA (@cert-authority), which signed each node's host certificate,\n"
		      "# then each node's own host key under its names.\n"
		      "@cert-authority ", cluster);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(kh, ",");
		host_patterns(&hosts[i], kh);
	}
	sb_adds(kh, " ");
	if (asprintf(&comment, "%s SSH CA", cluster) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	r = key_line(ca, comment, kh, err);
	free(comment);
	for (size_t i = 0; r == 0 && i < n; i++) {
		EVP_PKEY *k = pki_node_ssh_host_key(st, hosts[i].name);
		if (!k)
			return perr_set(err, -EIO, "node %s: SSH host key: %s", hosts[i].name,
					pki_state_error(st)->msg ? pki_state_error(st)->msg : "failed");
		host_patterns(&hosts[i], kh);
		sb_adds(kh, " ");
		r = key_line(k, hosts[i].name, kh, err);
	}
	return r;
}

static void identity(struct strbuf *b, const char *inline_key, const char *path)
{
	if (inline_key)
		sb_adds(b, "\t# the key is inline in cluster.yml (ssh_key): give it to ssh-agent\n");
	else if (path && *path)
		sb_printf(b, "\tIdentityFile \"%s\"\n\tIdentitiesOnly yes\n", path);
}

static void ssh_config(const struct plan *p, const struct ssh_host *hosts, size_t n, const char *out_name,
		       struct strbuf *sc)
{
	const struct cfg_bastion *bh = &plan_cluster(p)->bastion;
	sb_printf(sc, "# ssh_config of cluster %s, written by paddock build.  From the\n"
		      "# directory that holds %s/:   ssh -F %s/ssh_config NODE\n"
		      "# Host keys are checked strictly against %s/known_hosts: the cluster's\n"
		      "# SSH CA signed each node's host certificate.  The login is the node's\n"
		      "# `user`, keys only.\n",
		  plan_cluster_name(p), out_name, out_name, out_name);
	for (size_t i = 0; i < n; i++) {
		const struct ssh_host *h = &hosts[i];
		sb_printf(sc, "\nHost %s\n\tHostName %s\n\tPort %s\n\tUser %s\n\tHostKeyAlias %s\n", h->name,
			  h->address, h->port, h->user, h->name);
		identity(sc, h->ssh_key, h->ssh_key_path);
		sb_printf(sc, "\tStrictHostKeyChecking yes\n\tUserKnownHostsFile \"%s/known_hosts\" known_hosts\n"
			      "\tGlobalKnownHostsFile /dev/null\n\tUpdateHostKeys no\n",
			  out_name);
		if (bh->address)
			sb_adds(sc, "\tProxyJump " BASTION_HOST "\n");
	}
	if (bh->address) {
		/* not built by paddock: its host key is the operator's own known_hosts' business */
		sb_printf(sc, "\nHost " BASTION_HOST "\n\tHostName %s\n\tPort %s\n", bh->address,
			  bh->port && *bh->port ? bh->port : "22");
		if (bh->user && *bh->user)
			sb_printf(sc, "\tUser %s\n", bh->user);
		identity(sc, bh->ssh_key && *bh->ssh_key ? bh->ssh_key : NULL, bh->ssh_key_path);
	}
}

/* The bastion's fields go into ssh_config as they are written. */
static int check_bastion(const struct cfg_bastion *bh, struct perr *err)
{
	const char *words[] = { bh->address, bh->port, bh->user };
	for (size_t k = 0; bh->address && k < 3; k++)
		if (words[k] && (!ssh_quotable(words[k]) || strpbrk(words[k], " \t#")))
			return perr_set(err, -EINVAL, "bastion_host: '%s' cannot be written into ssh_config", words[k]);
	if (bh->address && !ssh_quotable(bh->ssh_key_path))
		return perr_set(err, -EINVAL, "bastion_host.ssh_key_path: a quote or control character");
	return 0;
}

int ssh_client_texts(struct pki_state *st, const struct plan *p, const char *out_name, char **ret_known_hosts,
		     char **ret_ssh_config, struct perr *err)
{
	size_t n = plan_node_count(p);
	struct ssh_host *hosts = calloc(n ? n : 1, sizeof(*hosts));
	struct strbuf kh = STRBUF_INIT, sc = STRBUF_INIT;
	int r = hosts ? check_bastion(&plan_cluster(p)->bastion, err) : perr_set(err, -ENOMEM, "out of memory");
	if (r == 0 && !ssh_quotable(out_name))
		r = perr_set(err, -EINVAL, "the output directory's name cannot be written into ssh_config");
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = ssh_host_of(p, i, &hosts[i], err);
		if (r == 0 && !strcmp(hosts[i].name, BASTION_HOST))
			r = perr_set(err, -EINVAL, "node %s: the name ssh_config gives the bastion", hosts[i].name);
	}
	if (r == 0)
		r = known_hosts(st, p, hosts, n, &kh, err);
	if (r == 0) {
		ssh_config(p, hosts, n, out_name, &sc);
		if (kh.err || sc.err)
			r = perr_set(err, -ENOMEM, "out of memory");
	}
	if (r == 0) {
		*ret_known_hosts = sb_steal(&kh);
		*ret_ssh_config = sb_steal(&sc);
	}
	sb_free(&kh);
	sb_free(&sc);
	free(hosts);
	return r;
}
