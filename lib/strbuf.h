/* strbuf: a growable byte buffer that stays NUL-terminated.
 *
 * Appends never fail loudly: on allocation failure or when the cap is
 * exceeded the buffer remembers it (sb->err) and later appends do nothing,
 * so callers check once at the end. */
#ifndef PADDOCK_STRBUF_H
#define PADDOCK_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;        /* NUL-terminated when non-NULL */
	size_t len, cap;
	size_t max;     /* 0: unbounded, else refuse to grow past it */
	int err;        /* 0, -ENOMEM or -E2BIG */
};

#define STRBUF_INIT { NULL, 0, 0, 0, 0 }

void sb_add(struct strbuf *sb, const void *p, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included; NULL is "".
 * '"', '\', \n, \r and \t get their short escapes, other control
 * characters and DEL \u00XX; '/' and bytes from 0x80 (UTF-8) are kept. */
void sb_json_str(struct strbuf *sb, const char *s);
/* Takes the string out (caller frees); NULL when empty or after an error. */
char *sb_steal(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* Appends the NULL-terminated strings v as a JSON array of strings. */
void sb_json_strv(struct strbuf *sb, char *const *v);

#endif
