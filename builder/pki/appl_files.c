/* appl_files: a node layer's files (appl_files.h). */
#include "pki/appl_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int appl_files_add(struct appl_files *f, const char *path, char *data, size_t len, mode_t mode, unsigned uid,
		   unsigned gid)
{
	struct appl_file *g = realloc(f->v, (f->n + 1) * sizeof(*g));
	char *p = g ? strdup(path) : NULL;

	if (g)
		f->v = g;
	if (!p)
		return -ENOMEM;
	f->v[f->n++] = (struct appl_file){ p, data, len, mode, uid, gid };
	return 0;
}

void appl_files_free(struct appl_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		if (f->v[i].data)
			OPENSSL_cleanse(f->v[i].data, f->v[i].len);
		free(f->v[i].data);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
