/* fsutil: the few file system operations the builder repeats. */
#ifndef PADDOCK_FSUTIL_H
#define PADDOCK_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

/* mkdir -p with mode for created directories. */
int mkdir_p(const char *path, mode_t mode, struct perr *err);
/* rm -rf; a missing path is not an error. */
int rm_rf(const char *path, struct perr *err);
/* Writes buf to path (created with mode, truncated). */
int write_file(const char *path, const void *buf, size_t len, mode_t mode, struct perr *err);
/* Copies src to dst (created with mode). */
int copy_file(const char *src, const char *dst, mode_t mode, struct perr *err);
/* Hard-links src to dst, or copies when a link is impossible. */
int link_or_copy(const char *src, const char *dst, mode_t mode, struct perr *err);
/* a + "/" + b in a new string (NULL on allocation failure). */
char *path_join(const char *a, const char *b);
/* Creates DIR/.TAG.tmp-<pid>-XXXXXX (mode 0755) in *ret.  Temporaries named
 * so whose process is gone are what sweep_stale removes. */
int mkdtemp_pid(const char *dir, const char *tag, char **ret, struct perr *err);
/* Removes DIR/.TAG.tmp-<pid>-* left by processes that no longer run. */
void sweep_stale(const char *dir, const char *tag);
/* Size of a file, or -1. */
long long file_size(const char *path);

#endif
