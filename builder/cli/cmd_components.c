/* paddock components: the pinned components into the cache. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/locate.h"
#include "components/cache_fill.h"
#include "fsutil.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock components [--cache DIR] [--lock FILE]\n\n"
		"Fetches every component the lock file pins into the cache and checks its\n"
		"SHA-256: Debian packages (`deb` lines) with `apt-get download`, `url` lines\n"
		"with libcurl.  A file already in the cache with its hash is kept; a missing\n"
		"or corrupt one is fetched.  Each file is renamed into place only after its\n"
		"hash matched, so two runs at once, or a killed one, leave no wrong file.\n\n"
		"  --cache DIR   the cache, the packages go to DIR/debs (default\n"
		"                $PADDOCK_CACHE, else $HOME/.cache/paddock)\n"
		"  --lock FILE   the lock file (default configs/components.lock of\n"
		"                $PADDOCK_ROOT, else of the install paddock runs from,\n"
		"                else of the tree where paddock was built)\n\n"
		"exit status: 0 every component is in the cache with its hash, 1 one could\n"
		"not be fetched (each is named, with why), 2 usage error\n");
}

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "components: %s\n", line);
}

int cmd_components(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cache", required_argument, NULL, 'C' },
		{ "lock", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cache = NULL, *lockp = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'C': cache = optarg; break;
		case 'l': lockp = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	struct paddock_dirs dirs;
	int st = locate_dirs("components", NULL, cache, !lockp, &dirs);
	if (st)
		return st;
	char *deflock = lockp ? NULL : path_join(dirs.data, LOCK_PATH);
	struct lock lock = { 0 };
	struct perr err = PERR_INIT;
	struct progress prog = { say, NULL };
	struct cache_fill_counts counts;
	int r = lockp || deflock ? lock_load(lockp ? lockp : deflock, &lock, &err)
				 : perr_set(&err, -ENOMEM, "out of memory");
	if (r >= 0)
		r = cache_fill(&lock, dirs.cache, &prog, &counts, &err);
	if (r < 0) {
		cli_print_error(&err);
		st = EXIT_INVALID;
	}
	perr_clear(&err);
	lock_free(&lock);
	free(deflock);
	paddock_dirs_free(&dirs);
	return st;
}
