/* base: the shared base layer of every node's initramfs, described by
 * configs/base.list (see the comment at its top) and cached by a hash of
 * everything that goes in:
 *
 *   CACHE/base/<key>/base.img   the compressed newc archive
 *   CACHE/base/<key>/vmlinuz    the kernel of the flavour
 *   CACHE/base/<key>/info       key=value facts for the manifest
 *
 * An entry is written to a temporary directory and renamed, so a killed
 * build leaves no half entry. */
#ifndef PADDOCK_BASE_H
#define PADDOCK_BASE_H

#include "image/cpio.h"
#include "components/lock.h"
#include "nodecfg.h"
#include "perr.h"
#include "progress.h"

struct digest;
struct layer;
struct base_trees;

/* Unpacked tree of a component of the lock (unpacking it if needed), for
 * parts that build files from components; NULL with *err set on failure.
 * The string belongs to the build. */
const char *base_tree(const struct base_trees *t, const char *component, struct perr *err);

/* A generated part of the base, e.g. container image tarballs built from
 * component files: key() feeds everything its output depends on into the
 * base's cache key (so a change rebuilds the base); add() puts its entries
 * into the layer (layer_add_*; sources must exist until the base is
 * written).  Either may be NULL. */
struct base_part {
	const char *name;
	int (*key)(void *ctx, struct digest *d, struct perr *err);
	int (*add)(void *ctx, const struct base_trees *trees, struct layer *l, struct perr *err);
	void *ctx;
};

struct base_opts {
	const char *root;      /* source tree: configs/, build products */
	/* where the build products of `product build/...` lines are, when
	 * not ROOT/build: an install's PREFIX/lib/paddock (base_list.h) */
	const char *products;
	const char *cache;     /* CACHE */
	const char *flavour;   /* "generic" or "cloud" */
	enum compression compression;
	long long mtime;       /* SOURCE_DATE_EPOCH */
	const struct progress *progress;
	const struct base_part *parts;
	size_t nparts;
};

struct base_result {
	char *key;
	char *dir;             /* CACHE/base/<key> */
	char *img;             /* .../base.img */
	char *vmlinuz;         /* .../vmlinuz */
	struct nodecfg info;   /* kernel.package, kernel.release, base.sha256, ... */
	int cached;            /* 1: reused */
};

/* Finds or builds the base for opts.  The lock's hashes are checked when a
 * component is unpacked. */
int base_get(const struct base_opts *o, const struct lock *lock, struct base_result *out,
	     struct perr *err);

/* Builds the base layer into an uncompressed-size-only dry run: used by the
 * bench to write the same content uncompressed to path. */
int base_write_raw(const struct base_opts *o, const struct lock *lock, const char *path,
		   struct perr *err);

void base_result_free(struct base_result *b);

#endif
