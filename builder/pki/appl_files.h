/* appl_files: the files a node layer gets, each with its bytes, path,
 * mode and owner.  pki makes the certificate, key and SSH ones; the image
 * build adds the appliance's (image/appliance.h) and writes them all into
 * the node layer.  Freeing wipes each file's bytes: node layers hold keys. */
#ifndef PADDOCK_APPL_FILES_H
#define PADDOCK_APPL_FILES_H

#include <stddef.h>
#include <sys/types.h>

struct appl_file {
	char *path;     /* absolute in the image */
	char *data;
	size_t len;
	mode_t mode;
	unsigned uid, gid;
};

struct appl_files {
	struct appl_file *v;
	size_t n;
};

/* Adds a file; data is taken on success only. */
int appl_files_add(struct appl_files *f, const char *path, char *data, size_t len, mode_t mode, unsigned uid,
		   unsigned gid);

/* Wipes each file's data before freeing it (node layers hold keys). */
void appl_files_free(struct appl_files *f);

#endif
