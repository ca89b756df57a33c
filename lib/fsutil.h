/* fsutil: the few file system operations the builder repeats. */
#ifndef PADDOCK_FSUTIL_H
#define PADDOCK_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

/* mkdir -p with mode for created directories. */
int mkdir_p(const char *path, mode_t mode, struct perr *err);
/* The names in dir that end in suffix (with something before it, and not
 * starting with '.'), sorted, NULL-terminated; free them with strv_free. */
int dir_list_sorted(const char *dir, const char *suffix, char ***ret, size_t *ret_n, struct perr *err);
/* rm -rf; a missing path is not an error. */
int rm_rf(const char *path, struct perr *err);
/* rm_rf for clean-up paths, where a failure is not reported. */
void rm_rf_quiet(const char *path);
/* Renames the fresh directory tmp to dir; a dir another process put there
 * first is kept (tmp is then left for the caller to remove). */
int publish_dir(const char *tmp, const char *dir, struct perr *err);
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

/* Writes all of buf to fd, retrying short writes and EINTR; 0 or -errno. */
int fd_write_all(int fd, const void *buf, size_t len);

/* What fd_copy was doing when it failed. */
enum fd_copy_step { FD_COPY_RANGE, FD_COPY_READ, FD_COPY_WRITE, FD_COPY_MEMORY };

/* Copies the rest of in to out: copy_file_range, or read/write where the
 * file systems cannot.  0, or -errno with the failed step in *ret_step. */
int fd_copy(int in, int out, enum fd_copy_step *ret_step);

/* mkdir -p with mode for created directories.  0, or -errno with the
 * prefix that could not be made in *ret_failed (heap; NULL when memory
 * ran out first). */
int mkdir_parents(const char *path, mode_t mode, char **ret_failed);

#endif
