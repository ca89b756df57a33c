/* operator_files: what the operator takes from OUT to reach the cluster:
 * the admin's kubeconfig, as RKE leaves it beside the cluster file, what
 * etcdctl needs, and what ssh needs to reach the nodes. */
#include "pki/pki.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "pki/kubeconfig.h"
#include "pki/report_key.h"
#include "pki/ssh.h"
#include "strbuf.h"

/* Writes dir/rel (0600) and records rel. */
static int put(const char *dir, const char *rel, const char *text, struct strv *added, struct perr *err)
{
	char *p = path_join(dir, rel);
	int r = p ? write_file(p, text, strlen(text), 0600, err) : perr_set(err, -ENOMEM, "out of memory");
	free(p);
	if (r == 0) {
		strv_add(added, rel);
		if (added->oom)
			r = perr_set(err, -ENOMEM, "out of memory");
	}
	return r;
}

/* "https://ADDRESS:PORT", the address in brackets when it is IPv6. */
static char *url_of(const char *address, int port)
{
	char *s = NULL;
	bool v6 = strchr(address, ':') != NULL;
	return asprintf(&s, "https://%s%s%s:%d", v6 ? "[" : "", address, v6 ? "]" : "", port) < 0 ? NULL : s;
}

/* kube_config_<cluster file name>, served by the first control plane node
 * (RKE's choice); none without a control plane. */
static int admin_config(struct pki_state *st, const struct plan *p, const char *cluster_file, const char *dir,
			struct strv *added, struct perr *err)
{
	const struct plan_node *cp = NULL;
	for (size_t i = 0; i < plan_node_count(p) && !cp; i++)
		if (plan_node_at(p, i)->roles & PLAN_ROLE_CONTROLPLANE)
			cp = plan_node_at(p, i);
	if (!cp)
		return 0;
	const char *base = strrchr(cluster_file, '/');
	base = base ? base + 1 : cluster_file;
	const char *ca = pki_get(st, NULL, PKI_CA ".pem"), *crt = pki_get(st, NULL, PKI_ADMIN ".pem");
	const char *key = pki_get(st, NULL, PKI_ADMIN "-key.pem");
	if (!ca || !crt || !key)
		return perr_set(err, -ENOENT, "the admin's certificate is not in the cluster state");
	char *url = url_of(cp->address, 6443), *name = NULL;
	char *text = url ? kubeconfig_admin(url, plan_cluster_name(p), ca, crt, key) : NULL;
	int r = text && asprintf(&name, "kube_config_%s", base) >= 0 ? put(dir, name, text, added, err)
								    : perr_set(err, -ENOMEM, "out of memory");
	free(url);
	free(name);
	pki_secret_free(text);
	return r;
}

/* etcd/: the CA, a client certificate and key, and etcdctl's settings;
 * nothing when etcd is not the cluster's own. */
static int etcd_files(struct pki_state *st, const struct plan *p, const char *dir, struct strv *added,
		      struct perr *err)
{
	struct strbuf env = STRBUF_INIT;
	for (size_t i = 0; i < plan_node_count(p); i++) {
		const struct plan_node *n = plan_node_at(p, i);
		if (!(n->roles & PLAN_ROLE_ETCD))
			continue;
		char *url = url_of(n->address, 2379);
		if (!url)
			env.err = -ENOMEM;
		sb_printf(&env, "%s%s", env.len ? "," : "", url ? url : "");
		free(url);
	}
	if (!env.len && !env.err) {
		sb_free(&env);
		return 0;
	}
	const char *ca = pki_get(st, NULL, PKI_CA ".pem"), *crt = pki_get(st, NULL, PKI_ETCD_CLIENT ".pem");
	const char *key = pki_get(st, NULL, PKI_ETCD_CLIENT "-key.pem");
	char *endpoints = sb_steal(&env), *text = NULL, *etcd = path_join(dir, "etcd");
	int r = 0;
	if (!ca || !crt || !key)
		r = perr_set(err, -ENOENT, "the etcd client certificate is not in the cluster state");
	else if (!endpoints || !etcd ||
		 asprintf(&text,
			  "# etcdctl's settings; the paths are relative to this output directory:\n"
			  "#   cd OUT && set -a && . etcd/etcdctl.env && set +a && etcdctl member list\n"
			  "ETCDCTL_API=3\n"
			  "ETCDCTL_ENDPOINTS=%s\n"
			  "ETCDCTL_CACERT=etcd/ca.pem\n"
			  "ETCDCTL_CERT=etcd/client.pem\n"
			  "ETCDCTL_KEY=etcd/client-key.pem\n",
			  endpoints) < 0)
		r = perr_set(err, -ENOMEM, "out of memory");
	/* chmod: the umask must not loosen or tighten it */
	else if (mkdir(etcd, 0700) < 0 || chmod(etcd, 0700) < 0)
		r = perr_set(err, -errno, "%s: %s", etcd, strerror(errno));
	if (r == 0 && (r = put(dir, "etcd/ca.pem", ca, added, err)) == 0 &&
	    (r = put(dir, "etcd/client.pem", crt, added, err)) == 0 &&
	    (r = put(dir, "etcd/client-key.pem", key, added, err)) == 0)
		r = put(dir, "etcd/etcdctl.env", text, added, err);
	free(endpoints);
	free(text);
	free(etcd);
	return r;
}

/* known_hosts and ssh_config; out's last component is how ssh_config
 * finds known_hosts. */
static int ssh_files(struct pki_state *st, const struct plan *p, const char *out, const char *dir,
		     struct strv *added, struct perr *err)
{
	size_t len = strlen(out);
	while (len > 1 && out[len - 1] == '/')
		len--;
	size_t start = len;
	while (start && out[start - 1] != '/')
		start--;
	char *name = strndup(out + start, len - start), *kh = NULL, *sc = NULL;
	int r = name ? ssh_client_texts(st, p, name, &kh, &sc, err) : perr_set(err, -ENOMEM, "out of memory");
	if (r == 0 && (r = put(dir, "known_hosts", kh, added, err)) == 0)
		r = put(dir, "ssh_config", sc, added, err);
	free(name);
	free(kh);
	free(sc);
	return r;
}

/* <node>/report.key: what `paddock serve` checks each node's reports
 * with (pki/report_key.h); in the node's own 0700 folder, beside its
 * layer, never in the served trees. */
static int report_keys(struct pki_state *st, const struct plan *p, const char *dir, struct strv *added,
		       struct perr *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < plan_node_count(p); i++) {
		const char *node = plan_node_at(p, i)->name, *key;
		char *rel = NULL, *ndir = path_join(dir, node);
		if ((r = pki_node_report_key(st, node, &key, err)) < 0)
			;
		else if (!ndir || asprintf(&rel, "%s/report.key", node) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		/* the build made it (0700) with the node's layer; made here otherwise */
		else if (mkdir(ndir, 0700) < 0 && errno != EEXIST)
			r = perr_set(err, -errno, "%s: %s", ndir, strerror(errno));
		else
			r = put(dir, rel, key, added, err);
		free(rel);
		free(ndir);
	}
	return r;
}

int pki_operator_files(struct pki_state *st, const struct plan *p, const char *cluster_file, const char *out,
		       const char *dir, struct strv *added, struct perr *err)
{
	int r = admin_config(st, p, cluster_file, dir, added, err);
	if (r == 0)
		r = etcd_files(st, p, dir, added, err);
	if (r == 0)
		r = ssh_files(st, p, out, dir, added, err);
	if (r == 0)
		r = report_keys(st, p, dir, added, err);
	return r < 0 ? perr_wrap(err, "operator files") : 0;
}
