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

#define CERT_SLOT "ssh_host_cert"
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

static int host_cert(const struct ssh_build *b, const struct ssh_host *h, EVP_PKEY *key, char **ret,
		     struct perr *err)
{
	EVP_PKEY *ca = pki_ssh_ca_key(b->st);
	struct strv names = STRV_INIT;
	char *key_id = NULL, *line = NULL, *slot = NULL, hex[DIGEST_HEX_LEN + 1];
	int r;
	if (!ca)
		return state_fail(b->st, "SSH CA key", err);
	ssh_host_principals(h, &names);
	if (asprintf(&key_id, "%s host %s", plan_cluster_name(b->p), h->name) < 0)
		key_id = NULL;
	if (names.oom || !key_id) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = cert_inputs(ca, key, key_id, names.v, hex, err)) < 0)
		goto out;
	const char *kept = stored_cert(pki_node_get(b->st, h->name, CERT_SLOT), hex, b->now);
	if (kept) {
		r = (*ret = strdup(kept)) ? 0 : perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	uint64_t serial = 0;
	if (RAND_bytes((unsigned char *)&serial, sizeof(serial)) != 1) {
		r = perr_set(err, -EIO, "no random bytes for a certificate serial");
		goto out;
	}
	struct ssh_cert_request q = {
		.key = key, .ca = ca, .key_id = key_id, .principals = names.v, .serial = serial >> 1,
		.valid_after = (uint64_t)(b->now > CLOCK_SKEW ? b->now - CLOCK_SKEW : 0),
	};
	q.valid_before = q.valid_after + CERT_LIFETIME;
	if ((r = ssh_host_cert(&q, h->name, &line, err)) < 0)
		goto out;
	if (asprintf(&slot, CERT_TAG " %s %" PRIu64 " %" PRIu64 "\n%s", hex, q.valid_after, q.valid_before,
		     line) < 0) {
		slot = NULL;
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = pki_node_put(b->st, h->name, CERT_SLOT, slot, err)) < 0)
		goto out;
	*ret = line;
	line = NULL;
out:
	strv_clear(&names);
	free(key_id);
	free(line);
	free(slot);
	return r;
}

/* Hands data (taken) to add as path; NULL data is an allocation that failed. */
static int give(ssh_file_fn add, void *ctx, const char *path, char *data, size_t len, mode_t mode,
		struct perr *err)
{
	if (!data)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = add(ctx, path, data, len, mode);
	return r < 0 ? perr_set(err, r, "%s: %s", path, strerror(-r)) : 0;
}

static int host_key_files(const struct ssh_build *b, const struct ssh_host *h, EVP_PKEY *key,
			  const struct ssh_key_kind *kind, ssh_file_fn add, void *ctx, struct perr *err)
{
	char path[96], *text = NULL, *cert = NULL;
	size_t len = 0;
	int r;
	snprintf(path, sizeof(path), "/etc/ssh/ssh_host_%s_key", kind->stem);
	if ((r = ssh_private_key_file(key, h->name, &text, &len, err)) < 0 ||
	    (r = give(add, ctx, path, text, len, 0600, err)) < 0)
		return r;
	snprintf(path, sizeof(path), "/etc/ssh/ssh_host_%s_key.pub", kind->stem);
	if ((r = ssh_key_public_line(key, h->name, &text, err)) < 0 ||
	    (r = give(add, ctx, path, text, strlen(text), 0644, err)) < 0)
		return r;
	snprintf(path, sizeof(path), "/etc/ssh/ssh_host_%s_key-cert.pub", kind->stem);
	if ((r = host_cert(b, h, key, &cert, err)) < 0)
		return perr_wrap(err, "host certificate");
	return give(add, ctx, path, cert, strlen(cert), 0644, err);
}

static int login_files(const struct ssh_host *h, const struct ssh_key_kind *kind, ssh_file_fn add,
		       void *ctx, char **ret_warning, struct perr *err)
{
	char key[96], cert[96], *text = NULL, *authkey = NULL, *path = NULL;
	struct ssh_accounts a = { 0 };
	int r;
	snprintf(key, sizeof(key), "/etc/ssh/ssh_host_%s_key", kind->stem);
	snprintf(cert, sizeof(cert), "/etc/ssh/ssh_host_%s_key-cert.pub", kind->stem);
	struct sshd_settings s = { .node = h->name, .user = h->user, .host_key = key, .host_cert = cert,
				   .host_algorithms = kind->host_algorithms };
	if ((r = sshd_config_text(&s, &text, err)) < 0 ||
	    (r = give(add, ctx, "/etc/ssh/sshd_config", text, strlen(text), 0644, err)) < 0)
		return r;
	if ((r = ssh_operator_key(h->ssh_key, h->ssh_key_path, &authkey, ret_warning, err)) < 0)
		return r;
	if (authkey) {
		if (asprintf(&path, SSHD_AUTHORIZED_KEYS_DIR "/%s", h->user) < 0) {
			free(authkey);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		r = give(add, ctx, path, authkey, strlen(authkey), 0644, err);
		free(path);
		if (r < 0)
			return r;
	}
	if ((r = ssh_accounts_make(h->user, &a, err)) < 0)
		return r;
	r = give(add, ctx, "/etc/passwd", a.passwd, strlen(a.passwd), 0644, err);
	a.passwd = NULL;
	if (r == 0)
		r = give(add, ctx, "/etc/group", a.group, strlen(a.group), 0644, err);
	a.group = NULL;
	if (r == 0)
		r = give(add, ctx, "/etc/shadow", a.shadow, strlen(a.shadow), 0600, err);
	a.shadow = NULL;
	ssh_accounts_free(&a);
	return r;
}

int ssh_node_files(const struct ssh_build *b, size_t i, ssh_file_fn add, void *ctx, char **ret_warning,
		   struct perr *err)
{
	const struct ssh_key_kind *kind;
	struct ssh_host h;
	int r;
	*ret_warning = NULL;
	if ((r = ssh_host_of(b->p, i, &h, err)) < 0)
		return r;
	EVP_PKEY *key = pki_node_ssh_host_key(b->st, h.name);
	if (!key) {
		state_fail(b->st, "SSH host key", err);
		return perr_wrap(err, "node %s", h.name);
	}
	if ((r = ssh_key_kind(key, &kind, err)) < 0 || (r = host_key_files(b, &h, key, kind, add, ctx, err)) < 0 ||
	    (r = login_files(&h, kind, add, ctx, ret_warning, err)) < 0) {
		free(*ret_warning);
		*ret_warning = NULL;
		return perr_wrap(err, "node %s", h.name);
	}
	return 0;
}
