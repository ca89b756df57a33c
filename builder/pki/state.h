/* state: the cluster state file, <cluster file without .yml>.paddock-state
 * beside the cluster file.  It holds every secret of the cluster, so a
 * rebuild gives each node the same identity, byte for byte: the CAs, the
 * service-account key, the secrets-encryption key, the SSH CA, and per
 * node its leaf keys, certificates and SSH host key.
 *
 * On disk it is JSON (read with lib/json): {"paddock_state": 1,
 * "created": <epoch>, "cluster": {SLOT: TEXT...}, "nodes": {NODE: {SLOT:
 * TEXT...}...}}, keys sorted; PEM texts inside.  It is mode 0600, refused
 * when others may read it, locked (flock on <state>.lock) from open to
 * close, and replaced whole and durably when saved, the state it replaces
 * kept as <state>.bak.  An empty or unreadable state file is an error that
 * names what to restore, never a new cluster (new CAs would re-key it).
 *
 * Slots are named after the files they become ("kube-ca.pem",
 * "kube-node-key.pem", ...); pki.h fills them from the plan.  Other
 * modules keep their own per-node texts here with pki_node_put. */
#ifndef PADDOCK_PKI_STATE_H
#define PADDOCK_PKI_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "perr.h"
#include "pki/keys.h"
#include "strv.h"

struct pki_state;

struct pki_state_opts {
	long long now;          /* the time certificates issued now start */
	bool create;            /* no state file yet: start one (else it is an error) */
	/* said once when another paddock holds the lock, before waiting for it */
	void (*waiting)(void *ctx, const char *path);
	void *ctx;
};

/* Opens (or starts) and locks the state file of cluster_file. */
int pki_state_open(const char *cluster_file, const struct pki_state_opts *o, struct pki_state **ret,
		   struct perr *err);
const char *pki_state_path(const struct pki_state *st);
/* Nothing was on disk: this run starts the cluster's state. */
bool pki_state_is_new(const struct pki_state *st);
/* What to tell the operator once a new state file is saved (%s: its path). */
#define PKI_STATE_CREATED \
	"created %s: it holds the cluster's CAs and keys; keep it private and backed up, " \
	"losing it means re-keying the cluster"
long long pki_state_now(const struct pki_state *st);
/* Writes the file when anything changed; the lock is kept. */
int pki_state_save(struct pki_state *st, struct perr *err);
/* Lets go of the lock and wipes the secrets from memory (NULL is fine). */
void pki_state_close(struct pki_state *st);

/* --- slots: node NULL is the cluster's own ------------------------------- */

const char *pki_get(struct pki_state *st, const char *node, const char *slot);
/* Stores a copy of text (NULL removes the slot). */
int pki_put(struct pki_state *st, const char *node, const char *slot, const char *text, struct perr *err);
/* Removes the slots for which drop(slot) says so: of every node (nodes),
 * else the cluster's own; the number removed. */
size_t pki_drop(struct pki_state *st, bool nodes, bool (*drop)(const char *slot));

/* Forgets every node for which keep(ctx, node) is false, with all its
 * keys and certificates (a node removed from the cluster file); their
 * names are added to forgotten (sorted).  The number forgotten. */
size_t pki_forget_nodes(struct pki_state *st, bool (*keep)(void *ctx, const char *node), void *ctx,
			struct strv *forgotten);

/* The private key in a slot, generated (of type) and stored when the slot
 * is empty; borrowed, valid until the slot changes. */
int pki_key(struct pki_state *st, const char *node, const char *slot, enum pki_key_type type,
	    EVP_PKEY **ret, struct perr *err);
/* The certificate in a slot, or NULL in *ret when the slot is empty;
 * borrowed, valid until the slot changes. */
int pki_cert(struct pki_state *st, const char *node, const char *slot, X509 **ret, struct perr *err);

/* --- what the SSH side uses ---------------------------------------------- */

/* The cluster's SSH CA key (Ed25519: ssh-audit fails NIST curves); created
 * on first use.  Borrowed; NULL on failure, pki_state_error says why. */
EVP_PKEY *pki_ssh_ca_key(struct pki_state *st);
/* The node's SSH host key (Ed25519, so /etc/ssh/ssh_host_ed25519_key);
 * created on first use.  Borrowed; NULL on failure. */
EVP_PKEY *pki_node_ssh_host_key(struct pki_state *st, const char *node);
/* A node's text slot (e.g. "ssh_host_cert"), or NULL. */
const char *pki_node_get(struct pki_state *st, const char *node, const char *slot);
int pki_node_put(struct pki_state *st, const char *node, const char *slot, const char *text,
		 struct perr *err);
/* Why the last call above that returns no error code failed. */
const struct perr *pki_state_error(const struct pki_state *st);

#define PKI_SLOT_SSH_CA "ssh-ca-key"
#define PKI_SLOT_SSH_HOST_KEY "ssh_host_ed25519_key"
/* where the SSH side keeps a node's host certificate; rotation drops it */
#define PKI_SLOT_SSH_HOST_CERT "ssh_host_cert"

/* --- bookkeeping of one run ---------------------------------------------- */

/* Notes that node's (NULL: the cluster's) certificate name ends at when. */
void pki_state_saw_expiry(struct pki_state *st, long long when, const char *node, const char *name);
/* Notes that node's (NULL: the cluster's) certificate name was renewed
 * because it was about to end. */
void pki_state_saw_renewal(struct pki_state *st, const char *node, const char *name);
/* What was renewed, "node NODE's NAME" or "the cluster's NAME", in order. */
char *const *pki_state_renewals(const struct pki_state *st, size_t *n);
/* The first end seen (0: none), and "node NODE's NAME" or "the cluster's NAME". */
long long pki_state_first_expiry(const struct pki_state *st, const char **what);

#endif
