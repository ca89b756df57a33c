/* cache_fill: every component of a lock into the cache, with its pinned
 * hash (`paddock components`, which `make components` runs).
 *
 * A file already in CACHE/debs with the right hash is kept; a missing or
 * corrupt one is fetched: a url component with libcurl (fetch.h), the deb
 * components together with `apt-get download` into a temporary directory
 * in CACHE/debs, each renamed into place only after its hash matched, so
 * concurrent and killed runs never leave a wrong file under a final name.
 * When apt-get fails as root, its package lists are refreshed once
 * (`apt-get update`, waiting for another apt's lock) and the download is
 * tried again; what still fails is tried package by package, so each
 * failure names its package and apt's reason.  Download temporaries that
 * killed fetches left in CACHE/debs (*.tmp-*, unlocked and old) are
 * removed first. */
#ifndef PADDOCK_CACHE_FILL_H
#define PADDOCK_CACHE_FILL_H

#include <stddef.h>

#include "progress.h"
#include "components/lock.h"
#include "perr.h"

struct cache_fill_counts {
	size_t cached;   /* there with the right hash */
	size_t fetched;  /* fetched now (also: corrupt ones fetched again) */
	size_t failed;   /* each said through the progress, with its reason */
};

/* Fills CACHE/debs for lock, saying every fetch, every corrupt file and
 * every failure through p, then the counts.  0 when every component is
 * there with its hash; else *err says how many failed (or why nothing
 * could be tried, e.g. no apt-get on PATH while deb components are
 * missing). */
int cache_fill(const struct lock *lock, const char *cache, const struct progress *p,
	       struct cache_fill_counts *counts, struct perr *err);

#endif
