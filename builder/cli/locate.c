/* locate: --root and --cache, or where they are without them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/locate.h"
#include "fsutil.h"

#ifndef PADDOCK_SRCDIR
#define PADDOCK_SRCDIR "."
#endif

/* What marks an install's data directory. */
#define INSTALLED_MARK "configs/base.list"

static bool is_file(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel);
	struct stat st;
	bool yes = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return yes;
}

/* The prefix the running binary was installed under (BIN/..), when its
 * data is there; NULL otherwise (a binary in a build tree). */
static char *installed_prefix(void)
{
	char *exe = realpath("/proc/self/exe", NULL), *slash;
	if (!exe)
		return NULL;
	for (int up = 0; up < 2; up++) {
		if (!(slash = strrchr(exe, '/')) || slash == exe) {
			free(exe);
			return NULL;
		}
		*slash = 0;
	}
	if (!is_file(exe, "share/paddock/" INSTALLED_MARK)) {
		free(exe);
		exe = NULL;
	}
	return exe;
}

/* Without --root and $PADDOCK_ROOT: an install beside the binary, else
 * the checkout it was built in, if it is still there. */
static int beside_binary(const char *verb, struct paddock_dirs *d)
{
	char *prefix = installed_prefix();
	if (!prefix && !is_file(PADDOCK_SRCDIR, INSTALLED_MARK)) {
		fprintf(stderr, "paddock %s: paddock's data is neither installed beside it (../share/paddock/"
			INSTALLED_MARK ") nor in the tree it was built in (" PADDOCK_SRCDIR "/" INSTALLED_MARK
			"); give --root DIR or set PADDOCK_ROOT to a source tree, or install paddock again\n", verb);
		return -ENOENT;
	}
	if (!prefix)
		return (d->data = strdup(PADDOCK_SRCDIR)) ? 0 : -ENOMEM;
	d->data = path_join(prefix, "share/paddock");
	d->products = path_join(prefix, "lib/paddock");
	free(prefix);
	return d->data && d->products ? 0 : -ENOMEM;
}

int locate_dirs(const char *verb, const char *root, const char *cache, bool need_data,
		struct paddock_dirs *d)
{
	*d = (struct paddock_dirs)PADDOCK_DIRS_INIT;
	if (!cache)
		cache = getenv("PADDOCK_CACHE");
	if (cache && *cache) {
		d->cache = strdup(cache);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home) {
			fprintf(stderr, "paddock %s: no cache directory: set --cache, PADDOCK_CACHE or HOME\n", verb);
			return EXIT_USAGE;
		}
		if (asprintf(&d->cache, "%s/.cache/paddock", home) < 0)
			d->cache = NULL;
	}
	if (!root)
		root = getenv("PADDOCK_ROOT");
	int r = d->cache ? 0 : -ENOMEM;
	if (r == 0 && root && *root)
		r = (d->data = strdup(root)) ? 0 : -ENOMEM;
	else if (r == 0 && need_data)
		r = beside_binary(verb, d);
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "paddock %s: out of memory\n", verb);
		paddock_dirs_free(d);
		return EXIT_INVALID;
	}
	return 0;
}

void paddock_dirs_free(struct paddock_dirs *d)
{
	free(d->data);
	free(d->products);
	free(d->cache);
	*d = (struct paddock_dirs)PADDOCK_DIRS_INIT;
}
