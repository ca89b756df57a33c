/* media-tool: drives media_emit() with given files, for the boot-media
 * tests while they run on stand-in images.
 *
 * usage: media-tool OUTDIR BASE KERNEL FORMATS HTTP_BASE|- TIMEOUT
 *                   NAME MAC|- LAYER INITRD CMDLINE  [NAME ...]...
 * Prints the files written, one a line. */
#include <stdio.h>
#include <stdlib.h>

#include "media.h"

int main(int argc, char **argv)
{
	if (argc < 12 || (argc - 7) % 5) {
		fprintf(stderr, "usage: media-tool OUTDIR BASE KERNEL FORMATS HTTP_BASE|- TIMEOUT "
				"{NAME MAC|- LAYER INITRD CMDLINE}...\n");
		return 2;
	}
	size_t n = (size_t)(argc - 7) / 5;
	struct media_node *nodes = calloc(n, sizeof *nodes);
	if (!nodes)
		return 1;
	for (size_t i = 0; i < n; i++) {
		char **a = argv + 7 + 5 * i;
		nodes[i] = (struct media_node){ .name = a[0], .mac = a[1][0] == '-' ? NULL : a[1],
						.node_layer = a[2], .initrd = a[3], .cmdline = a[4],
						.kernel = argv[3] };
	}
	struct media_input in = {
		.base = argv[2], .nodes = nodes, .n_nodes = n,
		.http_base = argv[5][0] == '-' ? NULL : argv[5], .menu_timeout = atoi(argv[6]),
		.console = "ttyS0",
		.source_date_epoch = getenv("SOURCE_DATE_EPOCH") ? atoll(getenv("SOURCE_DATE_EPOCH")) : 1700000000,
	};
	struct perr err = PERR_INIT;
	struct media_outputs out = { 0 };
	int st = 0;
	if (media_parse_formats(argv[4], &in.formats, &err) < 0 ||
	    media_emit(&in, argv[1], &out, &err) < 0) {
		char *m = perr_format(&err);
		fprintf(stderr, "media-tool: %s\n", m ? m : "error");
		free(m);
		st = 1;
	}
	for (size_t i = 0; i < out.n; i++)
		printf("%s\n", out.paths[i]);
	media_outputs_free(&out);
	perr_clear(&err);
	free(nodes);
	return st;
}
