/* locate: where a verb finds what it reads besides its arguments.
 *
 * The data (configs/, os-services/, the source files base.list names) and
 * the build products (`product build/...` lines) come from, in order:
 * --root DIR, $PADDOCK_ROOT (a source tree: data in DIR, products in
 * DIR/build), an install beside the running binary (BIN/../share/paddock
 * and BIN/../lib/paddock, found through /proc/self/exe, so a DESTDIR or a
 * moved prefix works too), else the checkout paddock was built in.  The
 * cache is --cache DIR, else $PADDOCK_CACHE, else $HOME/.cache/paddock. */
#ifndef PADDOCK_LOCATE_H
#define PADDOCK_LOCATE_H

#include <stdbool.h>

struct paddock_dirs {
	char *data;      /* a source tree, or PREFIX/share/paddock; NULL when not needed */
	char *products;  /* NULL: DATA/build; else PREFIX/lib/paddock */
	char *cache;
};
#define PADDOCK_DIRS_INIT { NULL, NULL, NULL }

/* Fills *d from the options (either may be NULL) and the environment;
 * without need_data only the cache (and --root or $PADDOCK_ROOT if set).
 * Returns 0, else the exit status after saying on stderr, as "paddock
 * VERB: ...", what is missing: EXIT_USAGE for the cache, EXIT_INVALID
 * when paddock's data is nowhere. */
int locate_dirs(const char *verb, const char *root, const char *cache, bool need_data,
		struct paddock_dirs *d);
void paddock_dirs_free(struct paddock_dirs *d);

#endif
