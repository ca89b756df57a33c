/* STAND-IN, TO BE DELETED when the PKI branch (s11-pki) lands: it provides
 * the state file and these functions for real.  Until then every build
 * makes a fresh SSH CA and fresh host keys and keeps nothing, so rebuilds
 * are NOT byte-identical and known_hosts changes with every build.  Only
 * the functions of pki/state.h that the SSH side and `paddock build` use
 * are here, with the PKI branch's signatures. */
#include "pki/state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct standin_slot {
	char *node, *slot, *text;
	EVP_PKEY *key;          /* host keys; slot "ssh_host_key" */
	struct standin_slot *next;
};

struct pki_state {
	EVP_PKEY *ca;
	struct standin_slot *slots;
	struct perr last;
};

int pki_state_open(const char *cluster_file, const struct pki_state_opts *o, struct pki_state **ret,
		   struct perr *err)
{
	(void)cluster_file, (void)o;
	if (!(*ret = calloc(1, sizeof(**ret))))
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

int pki_state_save(struct pki_state *st, struct perr *err)
{
	(void)st, (void)err;
	return 0;
}

void pki_state_close(struct pki_state *st)
{
	if (!st)
		return;
	for (struct standin_slot *s = st->slots, *next; s; s = next) {
		next = s->next;
		EVP_PKEY_free(s->key);
		free(s->node);
		free(s->slot);
		free(s->text);
		free(s);
	}
	EVP_PKEY_free(st->ca);
	perr_clear(&st->last);
	free(st);
}

static struct standin_slot *find(struct pki_state *st, const char *node, const char *slot, bool add)
{
	struct standin_slot *s;
	for (s = st->slots; s; s = s->next)
		if (!strcmp(s->node, node) && !strcmp(s->slot, slot))
			return s;
	if (!add || !(s = calloc(1, sizeof(*s))))
		return NULL;
	s->node = strdup(node);
	s->slot = strdup(slot);
	if (!s->node || !s->slot) {
		free(s->node);
		free(s->slot);
		free(s);
		return NULL;
	}
	s->next = st->slots;
	st->slots = s;
	return s;
}

static EVP_PKEY *new_key(struct pki_state *st)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k)
		perr_set(&st->last, -EIO, "Ed25519 key generation failed");
	return k;
}

EVP_PKEY *pki_ssh_ca_key(struct pki_state *st)
{
	perr_clear(&st->last);
	if (!st->ca)
		st->ca = new_key(st);
	return st->ca;
}

EVP_PKEY *pki_node_ssh_host_key(struct pki_state *st, const char *node)
{
	perr_clear(&st->last);
	struct standin_slot *s = find(st, node, "ssh_host_key", true);
	if (!s) {
		perr_set(&st->last, -ENOMEM, "out of memory");
		return NULL;
	}
	if (!s->key)
		s->key = new_key(st);
	return s->key;
}

const char *pki_node_get(struct pki_state *st, const char *node, const char *slot)
{
	struct standin_slot *s = find(st, node, slot, false);
	return s ? s->text : NULL;
}

int pki_node_put(struct pki_state *st, const char *node, const char *slot, const char *text,
		 struct perr *err)
{
	struct standin_slot *s = find(st, node, slot, true);
	char *copy = text ? strdup(text) : NULL;
	if (!s || (text && !copy)) {
		free(copy);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	free(s->text);
	s->text = copy;
	return 0;
}

const struct perr *pki_state_error(const struct pki_state *st)
{
	return &st->last;
}
