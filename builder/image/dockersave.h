/* dockersave: container images as docker-save (v1.2) tarballs, written
 * deterministically with libarchive, for `POST /images/load`.
 *
 * Docker 20.10 rejects a pure OCI layout, so the tar holds manifest.json,
 * one <config-sha256>.json per image and one <diff-id>/layer.tar per
 * layer.  Several images go into one tar (one load call at boot); a layer
 * shared by two images is written once.  Same entries and mtime give the
 * same bytes. */
#ifndef PADDOCK_DOCKERSAVE_H
#define PADDOCK_DOCKERSAVE_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

enum dsave_type { DSAVE_DIR, DSAVE_FILE, DSAVE_BLOB, DSAVE_LINK };

/* One file of an image's root file system. */
struct dsave_entry {
	const char *path;       /* absolute: "/usr/sbin/sshd" */
	enum dsave_type type;
	mode_t perm;
	unsigned uid, gid;
	const char *src;        /* DSAVE_FILE: host file to copy */
	const void *data;       /* DSAVE_BLOB */
	size_t len;
	const char *target;     /* DSAVE_LINK */
};

struct dsave_image {
	const char *tag;                /* "paddock/sshd:1" */
	const struct dsave_entry *entries; /* one layer; sorted here */
	size_t n;
	char *const *entrypoint;        /* NULL-terminated or NULL */
	char *const *cmd;
	char *const *env;               /* NULL: a default PATH */
	const char *user;               /* NULL or "" for root */
	const char *workdir;
};

/* Writes the images into one tarball at path (via path.tmp + rename).
 * mtime stamps every entry and the images' "created". */
int dockersave_write(const char *path, const struct dsave_image *imgs, size_t n, long long mtime,
		     struct perr *err);

#endif
