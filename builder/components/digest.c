/* digest: SHA-256 of files and buffers, as lower-case hex. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "components/digest.h"

struct digest {
	EVP_MD_CTX *ctx;
};

struct digest *digest_new(void)
{
	struct digest *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(d->ctx);
		free(d);
		return NULL;
	}
	return d;
}

void digest_update(struct digest *d, const void *buf, size_t len)
{
	EVP_DigestUpdate(d->ctx, buf, len);
}

void digest_final(struct digest *d, char hex[DIGEST_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int n = 0;
	static const char x[] = "0123456789abcdef";
	EVP_DigestFinal_ex(d->ctx, md, &n);
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = x[md[i] >> 4];
		hex[2 * i + 1] = x[md[i] & 15];
	}
	hex[DIGEST_HEX_LEN] = 0;
	digest_abort(d);
}

void digest_abort(struct digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

void digest_buf(const void *buf, size_t len, char hex[DIGEST_HEX_LEN + 1])
{
	struct digest *d = digest_new();
	if (!d) {
		memset(hex, '0', DIGEST_HEX_LEN);
		hex[DIGEST_HEX_LEN] = 0;
		return;
	}
	digest_update(d, buf, len);
	digest_final(d, hex);
}

int digest_file(const char *path, char hex[DIGEST_HEX_LEN + 1], struct perr *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	struct digest *d = digest_new();
	if (!d) {
		close(fd);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		digest_abort(d);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	for (;;) {
		ssize_t n = read(fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			digest_abort(d);
			return perr_set(err, -e, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		digest_update(d, buf, (size_t)n);
	}
	free(buf);
	close(fd);
	digest_final(d, hex);
	return 0;
}

int digest_is_hex(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == DIGEST_HEX_LEN;
}
