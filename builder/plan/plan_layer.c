/* plan_layer: the certificates and files a node's layer carries, and the
 * ones every node gets. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan/plan_model.h"
#include "registry_auth.h"

char *plan_strf(struct plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		p->oom = true;
	}
	va_end(ap);
	return s;
}


char *plan_host_stem(struct plan *p, const char *stem, const char *address)
{
	char *s = plan_strf(p, "%s-%s", stem, address);
	for (char *c = s ? s + strlen(stem) + 1 : NULL; c && *c; c++)
		if (*c == '.' || *c == ':')
			*c = '-';
	return s;
}

void pn_file(struct plan *p, struct pnode *pn, const char *path, unsigned mode, const char *source)
{
	struct plan_file *v = realloc(pn->files, (pn->nfiles + 1) * sizeof(*v));
	if (!v) {
		p->oom = true;
		return;
	}
	pn->files = v;
	struct plan_file *f = &v[pn->nfiles++];
	f->path = strdup(path);
	f->mode = mode;
	f->source = strdup(source);
	if (!f->path || !f->source)
		p->oom = true;
}

/* sans is taken: owned by the certificate unless it is a shared list. */
static void cert_add(struct plan *p, struct pnode *pn, const char *stem, const char *cn, char **sans)
{
	bool shared = sans == p->sans_etcd || sans == p->sans_api;
	struct plan_cert *v = realloc(pn->certs, (pn->ncerts + 1) * sizeof(*v));
	if (!v || !sans) {
		if (v)
			pn->certs = v;
		if (!shared)
			strv_free(sans);
		p->oom = true;
		return;
	}
	pn->certs = v;
	struct plan_cert *c = &v[pn->ncerts++];
	c->name = strdup(stem);
	c->common_name = strdup(cn);
	c->sans = sans;
	if (!c->name || !c->common_name)
		p->oom = true;

	char *crt = plan_strf(p, SSL_DIR "/%s.pem", stem);
	char *key = plan_strf(p, SSL_DIR "/%s-key.pem", stem);
	if (crt && key) {
		/* etcd's own certificate is readable by etcd alone, like its key
		 * (the seeds: etcd's files belong to its dedicated uid:gid) */
		pn_file(p, pn, crt, strncmp(stem, "kube-etcd-", 10) ? 0644 : 0600, "state");
		pn_file(p, pn, key, 0600, "state");
	}
	free(crt);
	free(key);
}

void pn_cert(struct plan *p, struct pnode *pn, const char *stem, const char *cn, struct strv *sans)
{
	struct strv none = STRV_INIT;
	cert_add(p, pn, stem, cn, strv_steal(sans ? sans : &none));
}

void pn_cert_shared(struct plan *p, struct pnode *pn, const char *stem, const char *cn, char **sans)
{
	cert_add(p, pn, stem, cn, sans);
}

char **plan_alt_names(struct plan *p, const char *role, bool user_sans)
{
	const struct cluster *c = p->c;
	struct strv s = STRV_INIT;
	char ip[64];
	strv_add(&s, "localhost");
	strv_add(&s, "127.0.0.1");
	strv_add(&s, "kubernetes");
	strv_add(&s, "kubernetes.default");
	strv_add(&s, "kubernetes.default.svc");
	strv_addf(&s, "kubernetes.default.svc.%s", c->services.kubelet.cluster_domain);
	if (cidr_nth(c->services.kube_api.service_cluster_ip_range, 1, ip, sizeof(ip)))
		strv_add(&s, ip);
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		if (!cfg_has_role(n, role))
			continue;
		const char *names[] = { n->hostname_override, n->address, n->internal_address };
		for (int k = 0; k < 3; k++)
			if (names[k] && *names[k] && !strv_contains(&s, names[k]))
				strv_add(&s, names[k]);
	}
	for (size_t i = 0; user_sans && i < c->authentication.sans.n; i++)
		if (!strv_contains(&s, c->authentication.sans.v[i]))
			strv_add(&s, c->authentication.sans.v[i]);
	char **v = strv_steal(&s);
	p->oom |= !v;
	return v;
}

void plan_node_common(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	pn_file(p, pn, NODECFG_PATH, 0644, "generated");
	pn_file(p, pn, SSL_DIR "/kube-ca.pem", 0644, "state");
	/* OpenSSH's host key, certificate and config, the node's accounts and
	 * its `user`'s authorized keys, as pki/ssh.h writes them */
	pn_file(p, pn, "/etc/ssh/ssh_host_ed25519_key", 0600, "state");
	pn_file(p, pn, "/etc/ssh/ssh_host_ed25519_key.pub", 0644, "state");
	pn_file(p, pn, "/etc/ssh/ssh_host_ed25519_key-cert.pub", 0644, "state (signed by the SSH CA)");
	pn_file(p, pn, "/etc/ssh/sshd_config", 0644, "generated");
	/* the key of its boot-stage reports to `paddock serve` (pki/report_key.h) */
	pn_file(p, pn, "/etc/paddock/report.key", 0400, "state");
	pn_file(p, pn, "/etc/passwd", 0644, "generated");
	pn_file(p, pn, "/etc/group", 0644, "generated");
	pn_file(p, pn, "/etc/shadow", 0600, "generated (no usable password)");
	/* the admin's public key, so the node stays reachable the RKE way */
	char *src = n->ssh_key && *n->ssh_key ? plan_strf(p, "nodes[].ssh_key (public part)")
					      : plan_strf(p, "public key of %s", n->ssh_key_path);
	char *dst = plan_strf(p, "/etc/ssh/authorized_keys/%s", n->user ? n->user : "");
	if (src && dst)
		pn_file(p, pn, dst, 0644, src);
	free(dst);
	free(src);
	plan_registry_files(p, pn, n);
}

/* System Docker's credentials, the kubelet's (as RKE gives them), each
 * registry's CA where both Dockers look for it, the user Docker's
 * daemon.json with the Docker Hub mirrors. */
void plan_registry_files(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	bool creds = false;
	for (size_t i = 0; i < c->nregistries; i++)
		creds |= (c->registries[i].user && *c->registries[i].user) || c->registries[i].ecr;
	if (creds) {
		pn_file(p, pn, "/etc/paddock/registry-auth.json", 0600, "cluster.yml");
		pn_file(p, pn, "/var/lib/kubelet/config.json", 0600, "cluster.yml");
	}
	for (size_t i = 0; i < c->nregistries; i++) {
		char *host = c->registries[i].ca_cert ? registry_of_url(c->registries[i].url) : NULL;
		char *path = host ? plan_strf(p, "/etc/docker/certs.d/%s/ca.crt", host) : NULL;
		char *src = path ? plan_strf(p, "private_registries[%zu].paddock.ca_cert", i) : NULL;
		if (src)
			pn_file(p, pn, path, 0644, src);
		p->oom |= c->registries[i].ca_cert && !src;
		free(host);
		free(path);
		free(src);
	}
	if (c->paddock.registry_mirrors.n && cfg_has_role(n, "worker"))
		pn_file(p, pn, "/etc/docker/daemon.json", 0644, "paddock.registry_mirrors");
}

void pn_free(const struct plan *p, struct pnode *pn)
{
	struct plan_node *n = &pn->pub;
	char *strs[] = { n->name, n->address, n->internal_address, n->mac, n->net_address,
			 n->net_gateway, n->state_disk, n->kernel_args, n->pod_cidr };
	for (size_t j = 0; j < sizeof(strs) / sizeof(*strs); j++)
		free(strs[j]);
	strv_free(n->dns);
	for (size_t j = 0; j < pn->nct; j++)
		plan_container_free(&pn->ct[j]);
	for (size_t j = 0; j < pn->ncerts; j++) {
		struct plan_cert *c = &pn->certs[j];
		free(c->name);
		free(c->common_name);
		if (c->sans != p->sans_etcd && c->sans != p->sans_api)
			strv_free(c->sans);
	}
	for (size_t j = 0; j < pn->nfiles; j++) {
		free(pn->files[j].path);
		free(pn->files[j].source);
	}
	free(pn->ct);
	free(pn->certs);
	free(pn->files);
}
