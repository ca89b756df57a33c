/* list-image: builds container images from .list files (the directives of
 * os-services/images/, sysimages.h) with a lock of the caller's, through
 * the same engine as the bundled images, for test images that must not
 * enter configs/components.lock (qemu-tests/k8s/).
 *
 *   list-image LOCK OUT.tar LIST...
 *
 * One docker-save tarball of every LIST's image at OUT.tar.  `product`
 * lines name files relative to the current directory (the source tree);
 * the components come from $PADDOCK_CACHE (else $HOME/.cache/paddock),
 * fetched there by `paddock components --lock LOCK`; SOURCE_DATE_EPOCH
 * stamps the entries. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/locate.h"
#include "components/listfile.h"
#include "components/lock.h"
#include "image/base_list.h"

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "list-image: %s\n", line);
}

int main(int argc, char **argv)
{
	struct perr err = PERR_INIT;
	struct paddock_dirs d = PADDOCK_DIRS_INIT;
	struct lock lock = { 0 };
	struct listfile *lists = NULL;
	size_t n = 0;
	int st = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: list-image LOCK OUT.tar LIST...\n");
		return 2;
	}
	if ((st = locate_dirs("list-image", NULL, NULL, false, &d)) != 0)
		return st;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct progress prog = { .fn = say };
	struct base_opts o = { .root = ".", .cache = d.cache, .flavour = "generic",
			       .mtime = sde ? atoll(sde) : 0, .progress = &prog };
	if (!(lists = calloc((size_t)argc - 3, sizeof(*lists))))
		st = 1;
	int r = st ? -1 : lock_load(argv[1], &lock, &err);
	for (int i = 3; r == 0 && i < argc; i++)
		if ((r = listfile_load(argv[i], &lists[n], &err)) == 0)
			n++;
	if (r == 0)
		r = base_list_images(&o, &lock, lists, n, argv[2], &err);
	if (r < 0) {
		char *m = perr_format(&err);
		fprintf(stderr, "list-image: %s\n", m ? m : "out of memory");
		free(m);
		st = 1;
	}
	perr_clear(&err);
	for (size_t i = 0; i < n; i++)
		listfile_free(&lists[i]);
	free(lists);
	lock_free(&lock);
	paddock_dirs_free(&d);
	return st;
}
