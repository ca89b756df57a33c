/* audit_read: reads initramfs layers back, the way the kernel unpacks them.
 *
 * A layer file is one compressed stream (zstd, gzip, xz, or none; several
 * streams of the same kind may follow each other) holding one or more newc
 * archives back to back, NUL padding between them.  libarchive does the
 * decompression; the newc headers are parsed here because libarchive's cpio
 * reader stops at the first TRAILER!!! while the kernel goes on to the next
 * archive, so a layer appended to node.img would go unseen.  Every libarchive
 * read of the audit is in this file. */
#ifndef PADDOCK_AUDIT_READ_H
#define PADDOCK_AUDIT_READ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "perr.h"

struct newc_entry {
	const char *path;       /* normalised: "/etc/shadow", "/" for the root */
	mode_t mode;            /* type and permission bits */
	unsigned uid, gid;
	uint64_t size;          /* data bytes that follow */
	unsigned nlink;
	uint32_t ino, devmajor, devminor;
	unsigned archive;       /* which archive of the layer, from 0 */
};

/* Receives a layer's entries in order.  entry() returns 1 to be handed the
 * entry's data through data() (in pieces, then once with buf NULL), 0 to
 * skip it, or a negative code to stop. */
struct newc_sink {
	int (*entry)(void *ctx, const struct newc_entry *e, struct perr *err);
	int (*data)(void *ctx, const void *buf, size_t len, struct perr *err);
	void *ctx;
};

/* Reads the layer at path into sink.  A file that is not a layer (a broken
 * header, a stream cut short, two compressions mixed) is an error naming the
 * file and the offset in the uncompressed stream. */
int audit_read_layer(const char *path, const struct newc_sink *sink, struct perr *err);

/* An image of a docker-save tarball: its name and the account files of its
 * root file system (its layers applied in order). */
enum { IMAGE_PASSWD, IMAGE_SHADOW, IMAGE_NFILES };
struct audit_image {
	char *tag;                      /* "paddock/sshd:1" */
	char *file[IMAGE_NFILES];       /* /etc/passwd, /etc/shadow; NULL when absent */
	mode_t mode[IMAGE_NFILES];
};

/* The images (one per RepoTag) of a docker-save tarball held in memory. */
int audit_read_images(const void *tar, size_t len, struct audit_image **ret, size_t *ret_n, struct perr *err);
void audit_images_free(struct audit_image *v, size_t n);

/* path made absolute and lexical: "./etc//x/../y" -> "/etc/y", "." -> "/".
 * NULL on allocation failure. */
char *audit_norm_path(const char *name);

#endif
