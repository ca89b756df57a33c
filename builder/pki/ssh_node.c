/* ssh_node: a node's SSH files (ssh.h), its host certificate kept in the
 * state file. */
#include "pki/ssh.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "components/digest.h"
#include "pki/ssh_accounts.h"
#include "pki/ssh_cert.h"
#include "pki/ssh_host.h"
#include "pki/ssh_key.h"
#include "pki/ssh_privkey.h"
#include "pki/ssh_sshd_config.h"
#include "pki/ssh_userkey.h"
#include "pki/ssh_wire.h"
#include "strv.h"

#define CERT_TAG "paddock-ssh-host-cert"
#define DAY (24LL * 3600)
#define CERT_LIFETIME (3650 * DAY)
#define CERT_RENEW (30 * DAY)
#define CLOCK_SKEW DAY

static int state_fail(struct pki_state *st, const char *what, struct perr *err)
{
	const struct perr *e = pki_state_error(st);
	return perr_set(err, e && e->code ? e->code : -EIO, "%s: %s", what, e && e->msg ? e->msg : "failed");
}

/* Adds data (taken, also on failure; NULL: an allocation that failed) to
 * out as path, root's. */
static int give(struct appl_files *out, const char *path, char *data, size_t len, mode_t mode, struct perr *err)
{
	if (data && appl_files_add(out, path, data, len, mode, 0, 0) == 0)
		return 0;
	if (data)
		OPENSSL_clear_free(data, len);
	return perr_set(err, -ENOMEM, "out of memory");
}

/* What a certificate certifies, as one hash: when it changes, the stored
 * certificate no longer fits. */
static int cert_inputs(EVP_PKEY *ca, EVP_PKEY *key, const char *key_id, char *const *names,
		       char hex[DIGEST_HEX_LEN + 1], struct perr *err)
{
	struct strbuf b = STRBUF_INIT;
	int r = ssh_key_put_blob(ca, &b, err);
	if (r == 0)
		r = ssh_key_put_blob(key, &b, err);
	ssh_put_cstring(&b, key_id);
	for (char *const *p = names; p && *p; p++)
		ssh_put_cstring(&b, *p);
	if (r == 0 && b.err)
		r = perr_set(err, b.err, "out of memory");
	if (r == 0)
		digest_buf(b.s, b.len, hex);
	sb_free(&b);
	return r;
}

/* The stored certificate line when it still fits and has time left. */
static const char *stored_cert(const char *text, const char *hex, long long now)
{
	char tag[32], h[DIGEST_HEX_LEN + 1];
	long long after, before;
	int n = 0;
	if (!text || sscanf(text, "%31s %64s %lld %lld\n%n", tag, h, &after, &before, &n) != 4 || !n ||
	    strcmp(tag, CERT_TAG) || strcmp(h, hex))
		return NULL;
	return after <= now && now + CERT_RENEW < before ? text + n : NULL;
}

/* Signs a new certificate for key and keeps it in the state file. */
static int new_cert(struct pki_state *st, const struct ssh_host *h, struct ssh_cert_request *q, const char *hex,
		    char **ret, struct perr *err)
{
	uint64_t serial = 0;
	long long now = pki_state_now(st);
	char *line = NULL, *slot = NULL;
	int r;
	if (RAND_bytes((unsigned char *)&serial, sizeof(serial)) != 1)
		return perr_set(err, -EIO, "no random bytes for a certificate serial");
	q->serial = serial >> 1;
	q->valid_after = (uint64_t)(now > CLOCK_SKEW ? now - CLOCK_SKEW : 0);
	q->valid_before = q->valid_after + CERT_LIFETIME;
	if ((r = ssh_host_cert(q, h->name, &line, err)) < 0)
		return r;
	if (asprintf(&slot, CERT_TAG " %s %" PRIu64 " %" PRIu64 "\n%s", hex, q->valid_after, q->valid_before,
		     line) < 0) {
		free(line);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	r = pki_node_put(st, h->name, PKI_SLOT_SSH_HOST_CERT, slot, err);
	free(slot);
	if (r < 0) {
		free(line);
		return r;
	}
	*ret = line;
	return 0;
}

static int host_cert(struct pki_state *st, const struct plan *p, const struct ssh_host *h, EVP_PKEY *key,
		     char **ret, struct perr *err)
{
	EVP_PKEY *ca = pki_ssh_ca_key(st);
	struct strv names = STRV_INIT;
	char *key_id = NULL, hex[DIGEST_HEX_LEN + 1];
	int r;
	if (!ca)
		return state_fail(st, "SSH CA key", err);
	ssh_host_names(h, &names);
	if (asprintf(&key_id, "%s host %s", plan_cluster_name(p), h->name) < 0)
		key_id = NULL;
	if (names.oom || !key_id) {
		r = perr_set(err, -ENOMEM, "out of memory");
	} else if ((r = cert_inputs(ca, key, key_id, names.v, hex, err)) == 0) {
		const char *kept = stored_cert(pki_node_get(st, h->name, PKI_SLOT_SSH_HOST_CERT), hex,
					       pki_state_now(st));
		struct ssh_cert_request q = { .key = key, .ca = ca, .key_id = key_id, .principals = names.v };
		if (kept)
			r = (*ret = strdup(kept)) ? 0 : perr_set(err, -ENOMEM, "out of memory");
		else
			r = new_cert(st, h, &q, hex, ret, err);
	}
	strv_clear(&names);
	free(key_id);
	return r;
}

static int host_key_files(struct pki_state *st, const struct plan *p, const struct ssh_host *h, EVP_PKEY *key,
			  struct appl_files *out, struct perr *err)
{
	char *data = NULL;
	size_t len = 0;
	int r;
	if ((r = ssh_private_key_file(key, h->name, &data, &len, err)) < 0 ||
	    (r = give(out, SSH_HOST_KEY, data, len, 0600, err)) < 0)
		return r;
	if ((r = ssh_key_public_line(key, h->name, &data, err)) < 0 ||
	    (r = give(out, SSH_HOST_KEY ".pub", data, strlen(data), 0644, err)) < 0)
		return r;
	if ((r = host_cert(st, p, h, key, &data, err)) < 0)
		return perr_wrap(err, "host certificate");
	return give(out, SSH_HOST_CERT, data, strlen(data), 0644, err);
}

static int login_files(const struct ssh_host *h, const struct ssh_key_kind *kind, struct appl_files *out,
		       char **ret_warning, struct perr *err)
{
	char *text = NULL, *authkey = NULL, *path = NULL;
	struct ssh_accounts a = { 0 };
	int r;
	struct sshd_settings s = { .node = h->name, .user = h->user, .port = h->port, .host_key = SSH_HOST_KEY,
				   .host_cert = SSH_HOST_CERT, .host_algorithms = kind->host_algorithms };
	if ((r = sshd_config_text(&s, &text, err)) < 0 ||
	    (r = give(out, SSH_SSHD_CONFIG, text, strlen(text), 0644, err)) < 0)
		return r;
	if ((r = ssh_operator_key(h->ssh_key, h->ssh_key_path, &authkey, ret_warning, err)) < 0)
		return r;
	if (authkey) {
		if (asprintf(&path, SSH_AUTHORIZED_KEYS_DIR "/%s", h->user) < 0 ||
		    asprintf(&text, "%s %s", SSH_KEY_OPTIONS, authkey) < 0) {
			free(path);
			free(authkey);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		free(authkey);
		r = give(out, path, text, strlen(text), 0644, err);
		free(path);
		if (r < 0)
			return r;
	}
	if ((r = ssh_accounts_make(h->user, &a, err)) < 0)
		return r;
	r = give(out, "/etc/passwd", a.passwd, strlen(a.passwd), 0644, err);
	a.passwd = NULL;
	if (r == 0)
		r = give(out, "/etc/group", a.group, strlen(a.group), 0644, err);
	a.group = NULL;
	if (r == 0)
		r = give(out, "/etc/shadow", a.shadow, strlen(a.shadow), 0600, err);
	a.shadow = NULL;
	ssh_accounts_free(&a);
	return r;
}

int ssh_node_files(struct pki_state *st, const struct plan *p, size_t i, struct appl_files *out,
		   char **ret_warning, struct perr *err)
{
	const struct ssh_key_kind *kind;
	struct ssh_host h;
	int r;
	*ret_warning = NULL;
	if ((r = ssh_host_of(p, i, &h, err)) < 0)
		return r;
	/* Ed25519 (state.h), so SSH_HOST_KEY's name holds */
	EVP_PKEY *key = pki_node_ssh_host_key(st, h.name);
	if (!key)
		r = state_fail(st, "SSH host key", err);
	else if ((r = ssh_key_kind(key, &kind, err)) == 0 && (r = host_key_files(st, p, &h, key, out, err)) == 0)
		r = login_files(&h, kind, out, ret_warning, err);
	if (r < 0) {
		free(*ret_warning);
		*ret_warning = NULL;
		return perr_wrap(err, "node %s", h.name);
	}
	return 0;
}
