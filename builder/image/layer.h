/* layer: the entries of one initramfs layer (base or node), before they are
 * written.  Paths are absolute in the image; parents are added as 0755
 * directories owned by root; layer_sort orders entries so a parent always
 * precedes its children. */
#ifndef PADDOCK_LAYER_H
#define PADDOCK_LAYER_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

enum lent_type { LENT_DIR, LENT_FILE, LENT_BLOB, LENT_LINK, LENT_CHR };

struct lent {
	char *path;        /* "/usr/bin/dockerd" */
	enum lent_type type;
	mode_t perm;       /* permission bits only */
	unsigned uid, gid;
	char *src;         /* LENT_FILE: host file to copy */
	char *data;        /* LENT_BLOB: contents */
	size_t len;
	char *target;      /* LENT_LINK */
	unsigned major, minor; /* LENT_CHR */
	char *origin;      /* where it came from, for the manifest */
};

struct layer {
	struct lent *v;
	size_t n, cap;
	size_t *index;     /* hash of path -> entry + 1 */
	size_t icap;
};

/* Adding a path a second time: identical entries are merged; a different one
 * (another type, mode, owner or content) is an error naming both origins. */
int layer_add_dir(struct layer *l, const char *path, mode_t perm, unsigned uid, unsigned gid,
		  struct perr *err);
int layer_add_file(struct layer *l, const char *path, const char *src, mode_t perm, unsigned uid,
		   unsigned gid, const char *origin, struct perr *err);
int layer_add_blob(struct layer *l, const char *path, const void *data, size_t len, mode_t perm,
		   unsigned uid, unsigned gid, const char *origin, struct perr *err);
int layer_add_link(struct layer *l, const char *path, const char *target, const char *origin,
		   struct perr *err);
int layer_add_chr(struct layer *l, const char *path, mode_t perm, unsigned major, unsigned minor,
		  struct perr *err);
const struct lent *layer_find(const struct layer *l, const char *path);
/* Adds missing parent directories and sorts by path (bytewise). */
int layer_sort(struct layer *l, struct perr *err);
void layer_free(struct layer *l);

#endif
