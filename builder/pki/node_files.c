/* node_files: a node's PKI files for its layer, at the paths and modes
 * the plan lists: what the plan marks "state" under /etc/kubernetes/ssl/
 * comes from the state file, the component kubeconfigs are generated.
 * Files the plan lists that are not the PKI's (SSH host keys, audit
 * policy, ...) are left to their own modules. */
#include "pki/pki.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "pki/kubeconfig.h"

#define SSL_DIR "/etc/kubernetes/ssl/"

/* What secretbox (XSalsa20-Poly1305) encrypts: Secrets; reading what was
 * stored before encryption was on stays possible through identity.  RKE
 * uses aescbc, which Kubernetes no longer recommends (padding oracles). */
static char *encryption_config(const char *key)
{
	char *s = NULL;
	if (asprintf(&s,
		     "apiVersion: apiserver.config.k8s.io/v1\n"
		     "kind: EncryptionConfiguration\n"
		     "resources:\n"
		     "- resources:\n"
		     "  - secrets\n"
		     "  providers:\n"
		     "  - secretbox:\n"
		     "      keys:\n"
		     "      - name: key1\n"
		     "        secret: %s\n"
		     "  - identity: {}\n",
		     key) < 0)
		return NULL;
	return s;
}

/* Whether name is "kubecfg-<stem>.yaml" for one of the node's
 * certificates; the stem in *stem (heap). */
static bool kubeconfig_of(const char *name, const struct plan_cert *c, size_t n, char **stem)
{
	size_t len = strlen(name);
	if (strncmp(name, "kubecfg-", 8) || len < 13 || strcmp(name + len - 5, ".yaml"))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strlen(c[i].name) == len - 13 && !strncmp(name + 8, c[i].name, len - 13))
			return (*stem = strdup(c[i].name)) != NULL;
	return false;
}

/* The contents of the plan's file f, name under SSL_DIR: from the state,
 * or made (then also in *made); NULL when the file is not the PKI's. */
static int contents(struct pki_state *st, const struct plan *p, size_t i, const struct plan_file *f,
		    const char *name, const char **ret, char **made)
{
	size_t nc;
	const struct plan_cert *c = plan_node_certs(p, i, &nc);
	char *stem = NULL;
	*ret = *made = NULL;
	if (!strcmp(f->source, "generated")) {
		if (kubeconfig_of(name, c, nc, &stem) && !(*ret = *made = kubeconfig_component(stem))) {
			free(stem);
			return -ENOMEM;
		}
		free(stem);
		return 0;
	}
	if (strcmp(f->source, "state"))
		return 0;
	if (!strcmp(name, "encryption.yaml")) {
		const char *key = pki_get(st, NULL, PKI_ENCRYPTION_KEY);
		if (key && !(*ret = *made = encryption_config(key)))
			return -ENOMEM;
	} else if (!strcmp(name, PKI_CA ".pem") || !strcmp(name, PKI_FRONT_PROXY_CA ".pem") ||
		   !strcmp(name, PKI_SA_KEY)) {
		*ret = pki_get(st, NULL, name);
	} else {
		/* the node's own certificates and keys: their slots have the files' names */
		*ret = pki_get(st, plan_node_at(p, i)->name, name);
	}
	/* everything under SSL_DIR that the plan has from the state is the PKI's */
	return *ret ? 0 : -ENOENT;
}

int pki_node_files(struct pki_state *st, const struct plan *p, size_t i, struct appl_files *out,
		   struct perr *err)
{
	const struct cfg_etcd *etcd = &plan_cluster(p)->services.etcd;
	const char *node = plan_node_at(p, i)->name;
	size_t n;
	const struct plan_file *f = plan_node_files(p, i, &n);
	int r = pki_issue_node(st, p, i, err);
	for (size_t k = 0; r == 0 && k < n; k++) {
		if (strncmp(f[k].path, SSL_DIR, strlen(SSL_DIR)))
			continue;
		const char *name = f[k].path + strlen(SSL_DIR), *text;
		char *made;
		if ((r = contents(st, p, i, &f[k], name, &text, &made)) < 0) {
			r = r == -ENOENT ? perr_set(err, r, "node %s: %s: not in the cluster state", node, f[k].path)
					 : perr_set(err, r, "out of memory");
			break;
		}
		if (!text)
			continue;
		char *data = made ? made : strdup(text);
		/* etcd's own files belong to etcd's user, as the plan runs it (uid:gid) */
		bool etcds = !strncmp(name, "kube-etcd-", 10) && etcd->uid && etcd->gid;
		unsigned uid = etcds ? (unsigned)etcd->uid : 0, gid = etcds ? (unsigned)etcd->gid : 0;
		if (!data || appl_files_add(out, f[k].path, data, strlen(data), f[k].mode, uid, gid) < 0) {
			pki_secret_free(data);
			r = perr_set(err, -ENOMEM, "out of memory");
		}
	}
	return r;
}
