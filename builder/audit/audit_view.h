/* audit_view: a node's file system as the kernel leaves it after unpacking
 * its layers in boot order (base.img, then node.img): a path in a later
 * layer, or later in the same layer, replaces the earlier one, modes and
 * owners included.
 *
 * Reading a layer keeps the metadata of every entry, the contents of the
 * files the checks read (everything under /etc/, and /init), the images of
 * docker-save tarballs under /usr/share/paddock/images/ (names and account
 * files), and the private keys found in any file (audit_keyscan.h). */
#ifndef PADDOCK_AUDIT_VIEW_H
#define PADDOCK_AUDIT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit/audit_keyscan.h"
#include "audit/audit_read.h"
#include "nodecfg.h"
#include "perr.h"
#include "strv.h"

#define AUDIT_IMAGES_DIR "/usr/share/paddock/images/"
#define AUDIT_ROLE_IMAGES_DIR "/usr/share/paddock/role-images/"

struct audit_file {
	char *path;             /* "/etc/shadow" */
	mode_t mode;            /* type and permission bits */
	unsigned uid, gid;
	uint64_t size;
	char *data;             /* the contents when kept (NUL-terminated), else NULL */
	char *target;           /* a symlink's target */
	size_t seq;             /* order read */
	uint32_t ino, devmajor, devminor;
	unsigned archive, nlink;
};

struct audit_layer {
	char *name;             /* as OUT names it: "base.img", "node1/node.img" */
	struct audit_file *v;   /* sorted by path, one per path */
	size_t n, cap;
	struct key_hits keys;   /* private keys in its files, replaced ones included */
	struct audit_image *images;     /* container images bundled in it */
	size_t nimages;
};

/* Reads file (name is for messages and results). */
int audit_layer_read(const char *file, const char *name, struct audit_layer **ret, struct perr *err);
void audit_layer_free(struct audit_layer *l);
/* The layer's own entry at path (later layers not considered), or NULL. */
const struct audit_file *audit_layer_get(const struct audit_layer *l, const char *path);

struct audit_view {
	const char *node;
	struct audit_layer *const *layers;      /* boot order */
	size_t nlayers;
	struct nodecfg cfg;                     /* /etc/paddock/node.conf; empty if absent */
	char *cfg_error;                        /* why it could not be read, or NULL */
};

/* Prepares v over layers (borrowed) and reads its node.conf. */
void audit_view_init(struct audit_view *v, const char *node, struct audit_layer *const *layers, size_t n);
void audit_view_free(struct audit_view *v);

/* The visible entry at path, or NULL. */
const struct audit_file *audit_view_get(const struct audit_view *v, const char *path);
/* The kept contents of the regular file at path, or NULL. */
const char *audit_view_text(const struct audit_view *v, const char *path);
/* Visits every visible entry (no order); fn returns false to stop. */
void audit_view_each(const struct audit_view *v, bool (*fn)(void *ctx, const struct audit_file *f),
		     void *ctx);
/* The visible paths matching pattern (fnmatch with FNM_PATHNAME:
 * "/etc/ssh/sshd_config.d/NAME.conf" with NAME a "*"), sorted; free with strv_free.  NULL on
 * allocation failure. */
char **audit_view_glob(const struct audit_view *v, const char *pattern);
/* Whether node.conf lists role ("etcd", "controlplane", "worker"). */
bool audit_view_has_role(const struct audit_view *v, const char *role);
/* Whether some image of the view's layers bundles image. */
bool audit_view_bundles(const struct audit_view *v, const char *image);

#endif
