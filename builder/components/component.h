/* component: a pinned component unpacked once into the cache.
 *
 * CACHE/trees/<sha256>.v<N>/ holds the file tree of the .deb with that hash,
 * unpacked by format N of the reader (old formats are left alone).  It
 * is written to a temporary directory and renamed, so a killed or
 * concurrent build never sees half a tree; the .deb's hash is checked
 * before it is unpacked. */
#ifndef PADDOCK_COMPONENT_H
#define PADDOCK_COMPONENT_H

#include "components/lock.h"
#include "perr.h"

/* Sets *ret_dir (new string) to the unpacked tree of c, fetching (url
 * components) and unpacking as needed.  *ret_fresh is 1 when it unpacked. */
int component_tree(const struct component *c, const char *cache, char **ret_dir, int *ret_fresh,
		   struct perr *err);

/* Checks that the file deb holds c: 0, -ENOENT (nothing there),
 * -EBADMSG (*err has expected and actual hash) or another error reading
 * it; *err says which. */
int component_check(const struct component *c, const char *deb, struct perr *err);

/* Checks that c is in the cache with the right hash (fetching url ones). */
int component_verify(const struct component *c, const char *cache, struct perr *err);

#endif
