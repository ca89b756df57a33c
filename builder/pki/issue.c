/* issue: the cluster's CAs, keys and certificates in the state file, made
 * when missing or no longer right (a changed SAN list, a new CA, a leaf
 * that ends within PKI_RENEW_DAYS), kept otherwise so rebuilds are
 * byte-identical. */
#include "pki/pki.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "pki/cert.h"

/* Node clocks may lag the build machine's. */
#define BACKDATE 3600
#define DAY 86400LL

/* "<stem>.pem" and "<stem>-key.pem", the slots of one certificate. */
struct slots {
	char *crt, *key;
};

static int slots_for(const char *stem, struct slots *s, struct perr *err)
{
	s->crt = s->key = NULL;
	if (asprintf(&s->crt, "%s.pem", stem) < 0 || asprintf(&s->key, "%s-key.pem", stem) < 0) {
		free(s->crt);
		s->crt = s->key = NULL;
		return perr_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static void slots_free(struct slots *s)
{
	free(s->crt);
	free(s->key);
}

/* The CA stem's key and certificate, which must be there. */
static int get_ca(struct pki_state *st, const char *stem, EVP_PKEY **key, X509 **crt, struct perr *err)
{
	struct slots s;
	int r = slots_for(stem, &s, err);
	if (r == 0 && (r = pki_cert(st, NULL, s.crt, crt, err)) == 0 && !*crt)
		r = perr_set(err, -EINVAL, "%s: missing", s.crt);
	if (r == 0)
		r = pki_key(st, NULL, s.key, PKI_KEY_EC_P256, key, err);
	slots_free(&s);
	return r;
}

/* The certificate stem of node (NULL: the cluster), signed by the CA
 * ca_stem (NULL: self-signed, a CA), as spec says; kept when the stored
 * one still fits. */
static int ensure(struct pki_state *st, const char *node, const char *stem, struct pki_cert_spec spec,
		  const char *ca_stem, struct perr *err)
{
	EVP_PKEY *key, *ca_key = NULL;
	X509 *have, *ca_crt = NULL;
	char *made = NULL;
	struct slots s;
	int r = slots_for(stem, &s, err);
	if (r < 0)
		return r;
	if (ca_stem && (r = get_ca(st, ca_stem, &ca_key, &ca_crt, err)) < 0)
		goto out;
	if ((r = pki_key(st, node, s.key, PKI_KEY_EC_P256, &key, err)) < 0 ||
	    (r = pki_cert(st, node, s.crt, &have, err)) < 0)
		goto out;
	long long now = pki_state_now(st);
	bool renew = false;
	if (have && pki_cert_matches(have, &spec, ca_crt, key)) {
		long long end = pki_cert_not_after(have);
		/* a leaf about to end is renewed (a CA only on request: certs
		 * rotate --ca); not when its CA ends first, which no new leaf helps */
		renew = !spec.ca && end - now < PKI_RENEW_DAYS * DAY && (!ca_crt || pki_cert_not_after(ca_crt) > end);
		if (!renew) {
			pki_state_saw_expiry(st, end, node, stem);
			goto out;
		}
	}
	spec.not_before = now - BACKDATE;
	spec.not_after = now + (spec.ca ? PKI_CA_DAYS : PKI_LEAF_DAYS) * DAY;
	/* a leaf is no use once its CA has ended */
	if (ca_crt && pki_cert_not_after(ca_crt) < spec.not_after)
		spec.not_after = pki_cert_not_after(ca_crt);
	if ((r = pki_cert_issue(&spec, key, ca_crt, ca_key, &made, err)) == 0 &&
	    (r = pki_put(st, node, s.crt, made, err)) == 0) {
		pki_state_saw_expiry(st, spec.not_after, node, stem);
		if (renew)
			pki_state_saw_renewal(st, node, stem);
	}
out:
	free(made);
	slots_free(&s);
	if (r < 0)
		return node ? perr_wrap(err, "node %s: %s", node, stem) : perr_wrap(err, "%s", stem);
	return 0;
}

static bool has_role(const struct plan *p, unsigned role)
{
	for (size_t i = 0; i < plan_node_count(p); i++)
		if (plan_node_at(p, i)->roles & role)
			return true;
	return false;
}

int pki_issue_cluster(struct pki_state *st, const struct plan *p, struct perr *err)
{
	const struct cfg_kube_api *api = &plan_cluster(p)->services.kube_api;
	EVP_PKEY *k;
	int r;
	if ((r = ensure(st, NULL, PKI_CA, (struct pki_cert_spec){ .cn = PKI_CA, .ca = true }, NULL, err)) < 0 ||
	    (r = ensure(st, NULL, PKI_FRONT_PROXY_CA, (struct pki_cert_spec){ .cn = PKI_FRONT_PROXY_CA, .ca = true },
			NULL, err)) < 0 ||
	    (r = pki_key(st, NULL, PKI_SA_KEY, PKI_KEY_EC_P256, &k, err)) < 0 ||
	    (r = pki_key(st, NULL, PKI_SLOT_SSH_CA, PKI_KEY_ED25519, &k, err)) < 0 ||
	    (r = ensure(st, NULL, PKI_ADMIN, (struct pki_cert_spec){ .cn = PKI_ADMIN, .org = "system:masters" },
			PKI_CA, err)) < 0)
		return r;
	/* the operator's etcdctl, when etcd is the cluster's own */
	if (has_role(p, PLAN_ROLE_ETCD) &&
	    (r = ensure(st, NULL, PKI_ETCD_CLIENT, (struct pki_cert_spec){ .cn = PKI_ETCD_CLIENT }, PKI_CA, err)) < 0)
		return r;
	if (api->secrets_encryption && !api->encryption_custom_config && !pki_get(st, NULL, PKI_ENCRYPTION_KEY)) {
		char *key = NULL;
		if ((r = pki_random_base64(32, &key, err)) == 0)
			r = pki_put(st, NULL, PKI_ENCRYPTION_KEY, key, err);
		pki_secret_free(key);
	}
	return r;
}

int pki_issue_node(struct pki_state *st, const struct plan *p, size_t i, struct perr *err)
{
	const char *node = plan_node_at(p, i)->name;
	size_t n;
	const struct plan_cert *c = plan_node_certs(p, i, &n);
	EVP_PKEY *k;
	int r = 0;
	for (size_t j = 0; j < n && r == 0; j++) {
		/* RKE's names: the kubelets' client certificate is in system:nodes;
		 * the API server's towards the kubelets in system:masters
		 * (plan_controlplane.c says why) */
		const char *org = !strcmp(c[j].name, "kube-node")			      ? "system:nodes"
				  : !strcmp(c[j].name, "kube-apiserver-kubelet-client") ? "system:masters"
											 : NULL;
		struct pki_cert_spec spec = { .cn = c[j].common_name, .sans = c[j].sans, .org = org,
					      .server = c[j].sans && c[j].sans[0] };
		bool front = !strcmp(c[j].name, PKI_FRONT_PROXY_CLIENT);
		r = ensure(st, node, c[j].name, spec, front ? PKI_FRONT_PROXY_CA : PKI_CA, err);
	}
	if (r == 0 && (r = pki_key(st, node, PKI_SLOT_SSH_HOST_KEY, PKI_KEY_ED25519, &k, err)) < 0)
		perr_wrap(err, "node %s: SSH host key", node);
	return r;
}

int pki_issue_all(struct pki_state *st, const struct plan *p, struct perr *err)
{
	int r = pki_issue_cluster(st, p, err);
	for (size_t i = 0; r == 0 && i < plan_node_count(p); i++)
		r = pki_issue_node(st, p, i, err);
	return r;
}

/* --- rotation -------------------------------------------------------------- */

/* Whether slot is stem's certificate or key. */
static bool slot_of(const char *slot, const char *stem)
{
	size_t n = strlen(stem);
	return !strncmp(slot, stem, n) && (!strcmp(slot + n, ".pem") || !strcmp(slot + n, "-key.pem"));
}

static bool node_leaf(const char *slot)
{
	size_t n = strlen(slot);
	return (n > 4 && !strcmp(slot + n - 4, ".pem")) || !strcmp(slot, PKI_SLOT_SSH_HOST_CERT);
}

static bool cluster_leaf(const char *slot)
{
	return slot_of(slot, PKI_ADMIN) || slot_of(slot, PKI_ETCD_CLIENT);
}

static bool cluster_leaf_or_ca(const char *slot)
{
	return cluster_leaf(slot) || slot_of(slot, PKI_CA) || slot_of(slot, PKI_FRONT_PROXY_CA) ||
	       !strcmp(slot, PKI_SLOT_SSH_CA);
}

size_t pki_rotate(struct pki_state *st, bool ca)
{
	return pki_drop(st, true, node_leaf) + pki_drop(st, false, ca ? cluster_leaf_or_ca : cluster_leaf);
}
