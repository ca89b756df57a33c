/* fetch: downloads a URL (http, https, file) with libcurl and checks its
 * SHA-256 before the file appears under its final name. */
#ifndef PADDOCK_FETCH_H
#define PADDOCK_FETCH_H

#include "perr.h"

/* Downloads url to dest (via a temporary file beside it, renamed after the
 * hash matched sha256).  On mismatch, *err has expected and actual. */
int fetch_url(const char *url, const char *sha256, const char *dest, struct perr *err);

#endif
