/* ssh_wire: the data types of the SSH protocol (RFC 4251 section 5) —
 * uint32, uint64, string, mpint — appended to a strbuf, a bounded reader
 * for parsing them back, and the base64 that OpenSSH's text formats use.
 * Appends remember failure in the strbuf (strbuf.h): check sb.err once. */
#ifndef PADDOCK_SSH_WIRE_H
#define PADDOCK_SSH_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>

#include "perr.h"
#include "strbuf.h"

void ssh_put_u32(struct strbuf *b, uint32_t v);
void ssh_put_u64(struct strbuf *b, uint64_t v);
/* A string: uint32 length, then the bytes. */
void ssh_put_string(struct strbuf *b, const void *p, size_t n);
void ssh_put_cstring(struct strbuf *b, const char *s);
/* An mpint of a non-negative BIGNUM: big-endian, a leading zero byte when
 * the top bit is set, and no bytes at all for zero. */
void ssh_put_mpint(struct strbuf *b, const BIGNUM *bn);
/* The same from an unsigned big-endian magnitude (leading zeros dropped). */
void ssh_put_mpint_bytes(struct strbuf *b, const unsigned char *p, size_t n);

/* Reads a buffer of SSH data types; every read checks what is left. */
struct ssh_reader {
	const unsigned char *p;
	size_t left;
};

/* 0, or -EBADMSG when the data ends early. */
int ssh_get_u32(struct ssh_reader *r, uint32_t *ret);
/* A string: *ret points into the buffer (not NUL-terminated). */
int ssh_get_string(struct ssh_reader *r, const unsigned char **ret, size_t *ret_len);
/* A string that must equal s. */
int ssh_get_expect(struct ssh_reader *r, const char *s);

/* Standard base64 with padding and no line breaks, in a new string. */
char *ssh_base64(const void *p, size_t n);
/* Decodes base64, skipping white space; -EBADMSG on anything else. */
int ssh_unbase64(const char *s, size_t len, unsigned char **ret, size_t *ret_len, struct perr *err);

#endif
