/* fetch: downloads a URL (http, https, file) with libcurl and checks its
 * SHA-256 before the file appears under its final name.
 *
 * A download that stalls or crawls is given up: it must move at least
 * FETCH_MIN_SPEED bytes a second over every FETCH_STALL_SECONDS and finish
 * within FETCH_TIMEOUT_SECONDS; the environment variable
 * PADDOCK_FETCH_TIMEOUT (seconds) sets the latter, and the stall window
 * is never longer.  Messages never show a URL's user name or password. */
#ifndef PADDOCK_FETCH_H
#define PADDOCK_FETCH_H

#include "perr.h"

#define FETCH_MIN_SPEED 1024L
#define FETCH_STALL_SECONDS 60L
#define FETCH_TIMEOUT_SECONDS 3600L

/* FETCH_TMP and six random letters after dest: the temporary a fetch
 * writes beside it, flock'ed until it is renamed or removed. */
#define FETCH_TMP ".tmp-"

/* Downloads url to dest (via a temporary file beside it, renamed after the
 * hash matched sha256).  On mismatch, *err has expected and actual. */
int fetch_url(const char *url, const char *sha256, const char *dest, struct perr *err);

/* url without its credentials (user:password@), to show; a new string, or
 * NULL when out of memory. */
char *fetch_url_shown(const char *url);

#endif
