/* state: the cluster state file (the PKI branch, s11-pki, owns this
 * header).  This copy declares only what the SSH side and `paddock build`
 * use, with the PKI branch's signatures; at merge the PKI branch's
 * state.h replaces it and builder/pki/ssh_keys_standin.c is deleted. */
#ifndef PADDOCK_PKI_STATE_H
#define PADDOCK_PKI_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "perr.h"

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
/* Writes the file when anything changed; the lock is kept. */
int pki_state_save(struct pki_state *st, struct perr *err);
/* Lets go of the lock and wipes the secrets from memory (NULL is fine). */
void pki_state_close(struct pki_state *st);

/* --- what the SSH side uses ---------------------------------------------- */

/* The cluster's SSH CA key; created on first use.  Borrowed; NULL on
 * failure, pki_state_error says why. */
EVP_PKEY *pki_ssh_ca_key(struct pki_state *st);
/* The node's SSH host key; created on first use.  Borrowed; NULL on
 * failure. */
EVP_PKEY *pki_node_ssh_host_key(struct pki_state *st, const char *node);
/* A node's text slot (e.g. "ssh_host_cert"), or NULL. */
const char *pki_node_get(struct pki_state *st, const char *node, const char *slot);
int pki_node_put(struct pki_state *st, const char *node, const char *slot, const char *text,
		 struct perr *err);
/* Why the last call above that returns no error code failed. */
const struct perr *pki_state_error(const struct pki_state *st);

#endif
