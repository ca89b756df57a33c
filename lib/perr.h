/* perr: the error out-parameter every fallible function fills.
 *
 * A function that fails returns a negative errno-like code and leaves a
 * message in *err; callers add context with perr_wrap() and pass it up.
 * Only main() prints.  The location (file:line:col) is kept apart from the
 * message so that wrapping adds key-path context without moving it. */
#ifndef PADDOCK_PERR_H
#define PADDOCK_PERR_H

#include <stddef.h>

struct perr {
	char *msg;        /* heap string, NULL when no error */
	char *file;       /* heap string or NULL */
	int line, col;    /* 1-based; 0 when unknown */
	int code;         /* the negative code last set */
};

#define PERR_INIT { NULL, NULL, 0, 0, 0 }

/* Sets the message (printf-style); returns code (keep it negative). */
int perr_set(struct perr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As perr_set, with a source location. */
int perr_setat(struct perr *e, int code, const char *file, int line, int col,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Prefixes context to the message ("ctx: old message"); keeps the location.
 * Returns the stored code. */
int perr_wrap(struct perr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Formats "FILE:LINE:COL: msg" (or "FILE: msg", or "msg") into a new heap
 * string; NULL on allocation failure. */
char *perr_format(const struct perr *e);

void perr_clear(struct perr *e);

static inline void perr_cleanup(struct perr *e) { perr_clear(e); }
#define _cleanup_perr_ __attribute__((cleanup(perr_cleanup)))

#endif
