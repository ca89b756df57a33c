/* base_prune: old bases out of the cache.  Every change to what goes into
 * the base (a new /init, a component) makes a new CACHE/base/<key> of
 * ~80 MB; nothing else ever removes the old ones.
 *
 * A base's "last use" is its directory's mtime, which base_get sets each
 * time a build takes it.  A prune keeps the base in use and the one used
 * most recently before it (going back one change costs no rebuild), and
 * anything used within BASE_PRUNE_IDLE_SECONDS (a concurrent build may be
 * copying it); it removes the rest. */
#ifndef PADDOCK_BASE_PRUNE_H
#define PADDOCK_BASE_PRUNE_H

#include <stddef.h>

#define BASE_PRUNE_IDLE_SECONDS (60 * 60)

/* Marks bases/<key> as used now. */
void base_mark_used(const char *bases, const char *key);
/* Prunes bases (CACHE/base), keeping keep; the number of bases removed,
 * their size in *freed (bytes). */
size_t base_prune(const char *bases, const char *keep, unsigned long long *freed);

#endif
