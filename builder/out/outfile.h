/* outfile: writing build outputs — directories, whole files, copies, and
 * fixed timestamps for reproducible media. */
#ifndef PADDOCK_OUTFILE_H
#define PADDOCK_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

/* "a/b" from a and b; heap string or NULL. */
char *out_join(const char *a, const char *b);

/* mkdir -p with mode for the directories it creates; existing ones are
 * left as they are. */
int out_mkdirs(const char *path, mode_t mode, struct perr *err);

/* Writes data to path atomically (temporary file + rename). */
int out_write(const char *path, const void *data, size_t len, mode_t mode, struct perr *err);

/* Copies src to dst atomically, with mode. */
int out_copy(const char *src, const char *dst, mode_t mode, struct perr *err);

/* As out_copy, but a hard link when src is on the same file system and
 * already has mode: large images are not stored twice. */
int out_link_or_copy(const char *src, const char *dst, mode_t mode, struct perr *err);

/* Sets atime and mtime of path and everything below it to t. */
int out_set_times(const char *path, long long t, struct perr *err);

/* rm -rf; a missing path is not an error. */
int out_remove_tree(const char *path, struct perr *err);

/* Replaces directory dst by src (a fresh tree built beside it), so a
 * served directory never holds a mix of two builds for long. */
int out_replace_dir(const char *src, const char *dst, struct perr *err);

/* 0 if path is a regular file readable by us, else -errno. */
int out_is_file(const char *path);

#endif
