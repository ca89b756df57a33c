/* base_key: the content-addressed cache key of the base layer, a hash of
 * everything that goes into it: the options, the builder itself,
 * base.list, the lock's hashes, the image lists of `images` lines and the
 * build products and module lists they and base.list name, and the
 * base's generated parts (base_part.key). */
#ifndef PADDOCK_BASE_KEY_H
#define PADDOCK_BASE_KEY_H

#include "components/listfile.h"
#include "components/lock.h"
#include "image/base.h"
#include "perr.h"

/* The key of the base for o, lock and base.list (list): 24 hex digits in
 * a new string.  A missing build product is an error naming its line. */
int base_key(const struct base_opts *o, const struct lock *lock, const struct listfile *list, char **ret,
	     struct perr *err);

#endif
