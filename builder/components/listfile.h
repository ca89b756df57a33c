/* listfile: the line-oriented configs (components.lock, base.list,
 * modules.list): one record per line, fields split on blanks, '#' starts a
 * comment line, blank lines ignored. */
#ifndef PADDOCK_LISTFILE_H
#define PADDOCK_LISTFILE_H

#include <stddef.h>

#include "perr.h"

struct listline {
	int lineno;
	char **tok;     /* ntok fields */
	size_t ntok;
};

struct listfile {
	char *path;
	char *text;     /* the whole file, for hashing */
	size_t textlen;
	struct listline *lines;
	size_t n;
};

/* Reads path (bounded to 16 MiB). */
int listfile_load(const char *path, struct listfile *out, struct perr *err);
int listfile_parse(const char *name, const char *buf, size_t len, struct listfile *out,
		   struct perr *err);
void listfile_free(struct listfile *l);

/* Reads a whole file into a new buffer (NUL-terminated), at most max bytes. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct perr *err);

#endif
