#include "pki/ssh_cert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "pki/ssh_key.h"
#include "pki/ssh_wire.h"
#include "strbuf.h"

#define SSH2_CERT_TYPE_HOST 2
#define NONCE_LEN 32

int ssh_host_cert(const struct ssh_cert_request *q, const char *comment, char **ret, struct perr *err)
{
	const struct ssh_key_kind *kind;
	struct strbuf c = STRBUF_INIT, list = STRBUF_INIT, ca = STRBUF_INIT, sig = STRBUF_INIT;
	unsigned char nonce[NONCE_LEN];
	char *b64 = NULL;
	int r = ssh_key_kind(q->key, &kind, err);
	if (r < 0)
		return perr_wrap(err, "host key");
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return perr_set(err, -EIO, "no random bytes for the certificate's nonce");
	for (char *const *p = q->principals; p && *p; p++)
		ssh_put_cstring(&list, *p);
	ssh_put_cstring(&c, kind->cert_name);
	ssh_put_string(&c, nonce, sizeof(nonce));
	if ((r = ssh_key_put_public_fields(q->key, &c, err)) < 0) {
		perr_wrap(err, "host key");
		goto out;
	}
	ssh_put_u64(&c, q->serial);
	ssh_put_u32(&c, SSH2_CERT_TYPE_HOST);
	ssh_put_cstring(&c, q->key_id ? q->key_id : "");
	ssh_put_string(&c, list.s, list.len);
	ssh_put_u64(&c, q->valid_after);
	ssh_put_u64(&c, q->valid_before);
	ssh_put_string(&c, NULL, 0); /* critical options: none for host certificates */
	ssh_put_string(&c, NULL, 0); /* extensions: likewise */
	ssh_put_string(&c, NULL, 0); /* reserved */
	if ((r = ssh_key_put_blob(q->ca, &ca, err)) < 0) {
		perr_wrap(err, "SSH CA key");
		goto out;
	}
	ssh_put_string(&c, ca.s, ca.len);
	if (c.err || list.err || ca.err) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* the signature covers everything before it */
	if ((r = ssh_key_sign(q->ca, c.s, c.len, &sig, err)) == 0)
		ssh_put_string(&c, sig.s, sig.len);
	if (r < 0) {
		perr_wrap(err, "SSH CA");
		goto out;
	}
	if (c.err || !(b64 = ssh_base64(c.s, c.len)) ||
	    asprintf(ret, "%s %s%s%s\n", kind->cert_name, b64, comment && *comment ? " " : "",
		     comment ? comment : "") < 0)
		r = perr_set(err, -ENOMEM, "out of memory");
out:
	sb_free(&sig);
	free(b64);
	sb_free(&c);
	sb_free(&list);
	sb_free(&ca);
	return r;
}
