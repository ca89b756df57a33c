/* sysimages: the os-services' container images, one docker-save bundle
 * built from component files at image build time (no registry needed).
 *
 * Each os-services/images/NAME.list uses the directives of
 * configs/base.list (file, dir, link, applets, product, ...) plus
 *   image TAG             the image's name (required, once)
 *   entrypoint ARG...     the image's Entrypoint (at most once)
 *   cmd ARG...            the image's Cmd (at most once)
 * and yields one image whose regular ELF files bring their libraries, as
 * in the base.  base.list names the bundle with
 *   images DIR DEST       each NAME.list of DIR, bundled at DEST in the base */
#ifndef PADDOCK_SYSIMAGES_H
#define PADDOCK_SYSIMAGES_H

#include "image/layer.h"
#include "components/listfile.h"
#include "perr.h"

/* Applies one directive line of lf into `into` (the base's engine). */
typedef int (*sysimages_apply_fn)(void *ctx, const struct listfile *lf, const struct listline *ln,
				  struct layer *into, struct perr *err);

/* The .list files of dir, sorted, as loaded list files. */
int sysimages_load(const char *dir, struct listfile **ret, size_t *ret_n, struct perr *err);
void sysimages_free(struct listfile *v, size_t n);

/* The image tags the .list files of dir define ("image TAG" lines), as a
 * NULL-terminated heap array (free with strv_free, strv.h); a tag defined
 * twice is an error. */
int sysimages_tags(const char *dir, char ***ret, struct perr *err);

/* Builds every image of lists into one docker-save tarball at path (via
 * path.tmp and a rename).  mtime stamps the entries. */
int sysimages_write(const struct listfile *lists, size_t n, sysimages_apply_fn apply, void *ctx,
		    long long mtime, const char *path, struct perr *err);

/* Builds every image of lists into one bundle and returns it in memory
 * (*ret, *ret_len: a heap buffer).  mtime stamps the entries. */
int sysimages_bundle(const struct listfile *lists, size_t n, sysimages_apply_fn apply, void *ctx,
		     long long mtime, char **ret, size_t *ret_len, struct perr *err);

#endif
