/* ssh_node: a node's SSH files (ssh.h). */
#include "pki/ssh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pki/ssh_host.h"
#include "pki/ssh_key.h"
#include "pki/ssh_privkey.h"
#include "pki/ssh_userkey.h"

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

static int host_key_files(struct pki_state *st, const struct ssh_host *h, struct appl_files *out,
			  struct perr *err)
{
	EVP_PKEY *key = pki_node_ssh_host_key(st, h->name);
	char *data = NULL;
	size_t len = 0;
	int r;
	if (!key) {
		const struct perr *e = pki_state_error(st);
		return perr_set(err, e && e->code ? e->code : -EIO, "SSH host key: %s",
				e && e->msg ? e->msg : "failed");
	}
	if ((r = ssh_dropbear_key_file(key, &data, &len, err)) < 0 ||
	    (r = give(out, SSH_HOST_KEY, data, len, 0600, err)) < 0)
		return r;
	if ((r = ssh_key_public_line(key, h->name, &data, err)) < 0)
		return r;
	return give(out, SSH_HOST_KEY ".pub", data, strlen(data), 0644, err);
}

int ssh_node_files(struct pki_state *st, const struct plan *p, size_t i, struct appl_files *out,
		   char **ret_warning, struct perr *err)
{
	struct ssh_host h;
	char *authkey = NULL;
	int r;
	*ret_warning = NULL;
	if ((r = ssh_host_of(p, i, &h, err)) < 0)
		return r;
	if ((r = host_key_files(st, &h, out, err)) == 0 &&
	    (r = ssh_operator_key(h.ssh_key, h.ssh_key_path, &authkey, ret_warning, err)) == 0 && authkey) {
		char *line = NULL;
		if (asprintf(&line, "%s %s", SSH_KEY_OPTIONS, authkey) < 0)
			line = NULL;
		free(authkey);
		r = give(out, SSH_AUTHORIZED_KEYS, line, line ? strlen(line) : 0, 0644, err);
	}
	if (r < 0) {
		free(*ret_warning);
		*ret_warning = NULL;
		return perr_wrap(err, "node %s", h.name);
	}
	return 0;
}
