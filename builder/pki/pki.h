/* pki: the cluster's certificates and keys, as the plan lists them, kept
 * in the state file (state.h), and the files made of them: each node's
 * layer files and the operator's files in OUT.
 *
 * One CA, "kube-ca", signs the Kubernetes and the etcd certificates, as
 * RKE does: the plan's flags (etcd's trusted CA, the API server's etcd
 * client certificate kube-node) are RKE's and depend on it.  A separate
 * front-proxy CA (kube-apiserver-requestheader-ca) signs the API
 * aggregation client.  Lifetimes: CAs 10 years, leaf certificates 1 year
 * (RKE: 10), from the moment they are issued (less an hour for node clocks
 * that lag), not from SOURCE_DATE_EPOCH, which would make fresh
 * certificates stale.  Every node has its own key for each of its
 * certificates; the service-account key is the control plane's. */
#ifndef PADDOCK_PKI_H
#define PADDOCK_PKI_H

#include <stdbool.h>
#include <stddef.h>

#include "pki/appl_files.h"
#include "perr.h"
#include "pki/state.h"
#include "plan/plan.h"
#include "strv.h"

#define PKI_CA_DAYS 3650
#define PKI_LEAF_DAYS 365
/* A leaf certificate (not a CA) that ends within this many days is
 * renewed, for the same key, by the next issue (pki_state_renewals). */
#define PKI_RENEW_DAYS 30

/* Certificate stems (a stem's slots and files are <stem>.pem and
 * <stem>-key.pem), and the cluster's other slots. */
#define PKI_CA "kube-ca"
#define PKI_FRONT_PROXY_CA "kube-apiserver-requestheader-ca"
#define PKI_FRONT_PROXY_CLIENT "kube-apiserver-proxy-client"
#define PKI_ADMIN "kube-admin"
#define PKI_ETCD_CLIENT "kube-etcd-client"
#define PKI_SA_KEY "kube-service-account-token-key.pem"
#define PKI_ENCRYPTION_KEY "encryption-key"   /* 32 random bytes, base64 */

/* The cluster's part: CAs, service-account key, secrets-encryption key
 * (when secrets_encryption_config is on), SSH CA, the admin's and the
 * operator's etcd client certificates.  What is stored and still right is
 * kept; the rest is made. */
int pki_issue_cluster(struct pki_state *st, const struct plan *p, struct perr *err);
/* Node i's certificates (those the plan lists) and SSH host key, likewise;
 * pki_issue_cluster first. */
int pki_issue_node(struct pki_state *st, const struct plan *p, size_t i, struct perr *err);
/* Both, for every node. */
int pki_issue_all(struct pki_state *st, const struct plan *p, struct perr *err);

/* Forgets every leaf key and certificate (and the SSH host certificates),
 * and with ca the CAs too, so the next issue makes new ones; the number
 * of slots dropped.  Node identities (SSH host keys), the service-account
 * and the secrets-encryption keys stay. */
size_t pki_rotate(struct pki_state *st, bool ca);

/* Adds node i's PKI files to out (certificates, keys, kubeconfigs,
 * encryption.yaml), with the plan's paths and modes, owned by root or, for
 * etcd's, by services.etcd uid:gid.  Issues the node's certificates
 * first (pki_issue_cluster must have run). */
int pki_node_files(struct pki_state *st, const struct plan *p, size_t i, struct appl_files *out,
		   struct perr *err);

/* Writes the operator's files into dir (the temporary of OUT, out as
 * given): the admin's kube_config_<cluster file name>, etcd/{ca.pem,
 * client.pem,client-key.pem,etcdctl.env}, known_hosts and ssh_config
 * (ssh.h), and each node's <node>/report.key for `paddock serve`
 * (report_key.h); files 0600, directories 0700.  Their paths, relative to dir,
 * are added to added. */
int pki_operator_files(struct pki_state *st, const struct plan *p, const char *cluster_file, const char *out,
		       const char *dir, struct strv *added, struct perr *err);

#endif
