/* digest: SHA-256 of files and buffers, as lower-case hex. */
#ifndef PADDOCK_DIGEST_H
#define PADDOCK_DIGEST_H

#include <stddef.h>

#include "perr.h"

#define DIGEST_HEX_LEN 64

/* An incremental SHA-256. */
struct digest;
struct digest *digest_new(void);
void digest_update(struct digest *d, const void *buf, size_t len);
/* Writes 65 bytes (hex + NUL) into hex and frees d. */
void digest_final(struct digest *d, char hex[DIGEST_HEX_LEN + 1]);
void digest_abort(struct digest *d);

void digest_buf(const void *buf, size_t len, char hex[DIGEST_HEX_LEN + 1]);
int digest_file(const char *path, char hex[DIGEST_HEX_LEN + 1], struct perr *err);

/* True when s is 64 lower-case hex digits. */
int digest_is_hex(const char *s);

#endif
