#include "pki/ssh_userkey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "components/listfile.h"
#include "pki/ssh_key.h"
#include "pki/ssh_wire.h"

#define MAX_KEY_FILE (64u << 10)
#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_MAGIC "openssh-key-v1" /* and its NUL */

char *ssh_expand_home(const char *path)
{
	const char *home = getenv("HOME");
	char *s = NULL;
	if (!strncmp(path, "~/", 2) && home)
		return asprintf(&s, "%s/%s", home, path + 2) < 0 ? NULL : s;
	return strdup(path);
}

/* "TYPE BASE64\n" of a public key blob whose first string is its type. */
static int line_of_blob(const unsigned char *blob, size_t len, const char *what, char **ret, struct perr *err)
{
	struct ssh_reader r = { blob, len };
	const unsigned char *type;
	size_t tlen;
	if (ssh_get_string(&r, &type, &tlen) < 0 || !tlen || tlen > 64 || memchr(type, ' ', tlen) ||
	    memchr(type, '\0', tlen))
		return perr_set(err, -EINVAL, "%s: not an OpenSSH public key", what);
	char *b64 = ssh_base64(blob, len);
	int r2 = b64 && asprintf(ret, "%.*s %s\n", (int)tlen, (const char *)type, b64) >= 0
			 ? 0 : perr_set(err, -ENOMEM, "out of memory");
	free(b64);
	return r2;
}

/* openssh-key-v1: magic, cipher, kdf, kdf options, key count, then the
 * public keys in clear (PROTOCOL.key). */
static int openssh_public(const char *text, size_t len, const char *what, char **ret, struct perr *err)
{
	const char *b = memmem(text, len, OPENSSH_BEGIN, strlen(OPENSSH_BEGIN));
	const char *e = b ? memmem(b, len - (size_t)(b - text), OPENSSH_END, strlen(OPENSSH_END)) : NULL;
	unsigned char *bin = NULL;
	size_t n = 0;
	if (!e)
		return perr_set(err, -EINVAL, "%s: no end line in the OpenSSH private key", what);
	b += strlen(OPENSSH_BEGIN);
	int r = ssh_unbase64(b, (size_t)(e - b), &bin, &n, err);
	if (r < 0)
		return perr_wrap(err, "%s", what);
	struct ssh_reader rd = { bin, n };
	const unsigned char *s, *pub = NULL;
	size_t slen, publen = 0;
	uint32_t nkeys = 0;
	if (n < sizeof(OPENSSH_MAGIC) || memcmp(bin, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC))) {
		r = perr_set(err, -EINVAL, "%s: not an openssh-key-v1 key", what);
	} else {
		rd.p += sizeof(OPENSSH_MAGIC);
		rd.left -= sizeof(OPENSSH_MAGIC);
		if (ssh_get_string(&rd, &s, &slen) < 0 || ssh_get_string(&rd, &s, &slen) < 0 ||
		    ssh_get_string(&rd, &s, &slen) < 0 || ssh_get_u32(&rd, &nkeys) < 0 || nkeys < 1 ||
		    ssh_get_string(&rd, &pub, &publen) < 0)
			r = perr_set(err, -EINVAL, "%s: truncated OpenSSH private key", what);
		else
			r = line_of_blob(pub, publen, what, ret, err);
	}
	/* the private part may be in clear too */
	OPENSSL_clear_free(bin, n);
	return r;
}

/* Never asks: an encrypted PEM key cannot be read here. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

static int pem_public(const char *text, size_t len, const char *what, char **ret, struct perr *err)
{
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
	int r;
	BIO_free(bio);
	ERR_clear_error();
	if (!k) {
		if (memmem(text, len, "ENCRYPTED", 9))
			return perr_set(err, -EINVAL, "%s: encrypted; put its public key beside it as .pub", what);
		return perr_set(err, -EINVAL, "%s: not a private key OpenSSL or OpenSSH can read", what);
	}
	r = ssh_key_public_line(k, NULL, ret, err);
	EVP_PKEY_free(k);
	return r < 0 ? perr_wrap(err, "%s", what) : 0;
}

int ssh_public_of_private(const char *text, size_t len, const char *what, char **ret, struct perr *err)
{
	if (len > INT32_MAX)
		return perr_set(err, -EFBIG, "%s: too large", what);
	if (memmem(text, len, OPENSSH_BEGIN, strlen(OPENSSH_BEGIN)))
		return openssh_public(text, len, what, ret, err);
	return pem_public(text, len, what, ret, err);
}

int ssh_public_line_check(const char *text, size_t len, const char *what, char **ret, struct perr *err)
{
	size_t end = 0;
	while (end < len && text[end] != '\n' && text[end] != '\r')
		end++;
	const char *sp = memchr(text, ' ', end);
	const char *b64 = sp ? sp + 1 : NULL;
	const char *b64end = b64 ? memchr(b64, ' ', end - (size_t)(b64 - text)) : NULL;
	unsigned char *blob = NULL;
	size_t blen = 0;
	struct perr ignore = PERR_INIT;
	if (!b64end)
		b64end = text + end;
	int ok = sp && sp > text && b64 < b64end &&
		 ssh_unbase64(b64, (size_t)(b64end - b64), &blob, &blen, &ignore) == 0;
	perr_clear(&ignore);
	if (ok) {
		/* the blob names the same type as the line */
		struct ssh_reader r = { blob, blen };
		const unsigned char *type;
		size_t tlen;
		ok = ssh_get_string(&r, &type, &tlen) == 0 && tlen == (size_t)(sp - text) &&
		     !memcmp(type, text, tlen);
	}
	free(blob);
	if (!ok)
		return perr_set(err, -EINVAL, "%s: not an OpenSSH public key", what);
	if (asprintf(ret, "%.*s\n", (int)end, text) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

int ssh_operator_key(const char *inline_key, const char *key_path, char **ret, char **ret_warning,
		     struct perr *err)
{
	char *path = NULL, *pub = NULL, *buf = NULL;
	size_t len = 0;
	int r;
	*ret = NULL;
	*ret_warning = NULL;
	if (inline_key && *inline_key)
		return ssh_public_of_private(inline_key, strlen(inline_key), "ssh_key", ret, err);
	if (!key_path || !*key_path)
		return 0;
	if (!(path = ssh_expand_home(key_path)) || asprintf(&pub, "%s.pub", path) < 0) {
		free(path);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	if ((r = read_file(pub, MAX_KEY_FILE, &buf, &len, err)) == 0) {
		r = ssh_public_line_check(buf, len, pub, ret, err);
		goto out;
	}
	if (r != -ENOENT)
		goto out;
	perr_clear(err);
	r = read_file(path, MAX_KEY_FILE, &buf, &len, err);
	if (r == 0) {
		r = ssh_public_of_private(buf, len, path, ret, err);
		OPENSSL_cleanse(buf, len);
	} else if (r != -EFBIG && r != -EINVAL && r != -ENOMEM) {
		/* no key to read at all: a node nobody can log in to, not a failed build */
		if (asprintf(ret_warning, "%s: %s (nor %s.pub); sshd will accept no key", key_path,
			     strerror(-r), key_path) < 0)
			*ret_warning = NULL;
		perr_clear(err);
		r = 0;
	}
out:
	free(buf);
	free(pub);
	free(path);
	return r;
}
