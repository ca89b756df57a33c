/* media_files: how the format writers (iso.c, pxe.c, ipxe.c) put files
 * into their trees.  Each put makes the parent directories (0700) and,
 * when out is not NULL, lists the file there as prefix/rel. */
#ifndef PADDOCK_MEDIA_FILES_H
#define PADDOCK_MEDIA_FILES_H

#include <stddef.h>
#include <sys/types.h>

#include "media/media.h"
#include "perr.h"
#include "strv.h"

/* Copies src to dir/rel with mode. */
int media_put_copy(const char *src, const char *dir, const char *rel, mode_t mode,
		   const char *prefix, struct strv *out, struct perr *err);

/* Writes text to dir/rel (mode 0644) and frees it; a NULL text is an
 * allocation that failed. */
int media_put_text(const char *dir, const char *rel, char *text, const char *prefix,
		   struct strv *out, struct perr *err);

/* A network boot tree: outdir/<name>/ replaced as a whole by one holding
 * the loader files, the files a network boot fetches (vmlinuz and other
 * nodes' kernels, base.img, nodes/<node>.img), a text for machines of no
 * node and one per node that has a MAC. */
struct media_net_tree {
	const char *name;                   /* "tftp": the directory, the outputs' prefix */
	const char *const (*loaders)[2];    /* { source, name in the tree } */
	size_t n_loaders;
	const char *default_rel;            /* the text for unknown machines */
	char *(*default_text)(const struct media_input *in);
	char *(*node_rel)(const char *mac); /* where node texts go; heap string or NULL */
	char *(*node_text)(const struct media_input *in, size_t i);
};

int media_net_tree_emit(const struct media_input *in, const struct media_net_tree *t,
			const char *outdir, struct strv *out, struct perr *err);

#endif
