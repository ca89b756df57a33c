/* fsutil: the file system operations every program shares — paths,
 * directory trees, and whole files written so that a reader never sees half
 * of one.
 *
 * Modes: a file written, copied or linked here ends up with exactly the
 * mode given (the umask does not apply to it); directories made by mkdir_p
 * get the mode given minus the umask, as mkdir(2) does. */
#ifndef PADDOCK_FSUTIL_H
#define PADDOCK_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

/* "a/b" in a new string (NULL on allocation failure): leading '/' of b are
 * dropped, and no second '/' is put after an a that ends in one. */
char *path_join(const char *a, const char *b);

/* mkdir -p; existing directories are left as they are. */
int mkdir_p(const char *path, mode_t mode, struct perr *err);
/* rm -rf; a missing path is not an error. */
int rm_rf(const char *path, struct perr *err);
/* rm_rf for clean-up paths, where a failure is not reported. */
void rm_rf_quiet(const char *path);

/* Writes buf to path atomically and durably: a new temporary beside it
 * ("<path>.tmp-" and six random letters, opened O_EXCL|O_NOFOLLOW),
 * synced, renamed over it, and the directory synced, so a crash leaves
 * the old file or the new one. */
int write_file(const char *path, const void *buf, size_t len, mode_t mode, struct perr *err);
/* Copies src to dst atomically, as write_file (not synced: for large
 * outputs a build can make again).  dst is a file of its own:
 * where the file system can, it shares src's blocks copy-on-write (a
 * reflink), so a large copy costs no time and no space. */
int copy_file(const char *src, const char *dst, mode_t mode, struct perr *err);
/* Puts src at dst as a hard link when src is a regular file on the same
 * file system that already has exactly mode (large images are not stored
 * twice), else as copy_file does.  Either way dst is replaced atomically
 * and has mode.  A link makes the two one file: only for two files of the
 * same output, never from a cache (writing to one would change the other). */
int link_or_copy(const char *src, const char *dst, mode_t mode, struct perr *err);

/* Sets atime and mtime of path and everything below it to t. */
int set_tree_times(const char *path, long long t, struct perr *err);
/* Replaces directory dst by src (a fresh tree built beside it), so a
 * served directory never holds a mix of two builds for long. */
int replace_dir(const char *src, const char *dst, struct perr *err);
/* Renames the fresh directory tmp to dir; a dir another process put there
 * first is kept (tmp is then left for the caller to remove). */
int publish_dir(const char *tmp, const char *dir, struct perr *err);
/* A directory being filled beside its final place: DIR/.TAG.tmp-<pid>-XXXXXX
 * (mode 0755).  Its maker holds an flock on TMPDIR_LOCK inside it for as
 * long as it works there.  The pid is only a hint for people: on a cache
 * shared between hosts or containers it names another machine's process. */
struct tmpdir {
	char *path;
	int lock_fd;
};
#define TMPDIR_INIT { NULL, -1 }
#define TMPDIR_LOCK ".lock"
/* Seconds a temporary must have been left unchanged before sweep_stale may
 * remove it: a fresh one may not be locked yet, and a file system whose
 * locks do not reach other hosts still keeps a live build's for this long. */
#define TMPDIR_STALE_SECONDS (30 * 60)
int tmpdir_create(const char *dir, const char *tag, struct tmpdir *t, struct perr *err);
/* Removes the lock file so the directory can be renamed into place whole;
 * the lock itself is held until tmpdir_end. */
void tmpdir_drop_lockfile(struct tmpdir *t);
/* Removes t->path if it is still there (not renamed), releases the lock. */
void tmpdir_end(struct tmpdir *t);
/* Removes DIR/.TAG.tmp-* that no process holds locked and that have not
 * changed for TMPDIR_STALE_SECONDS: what killed builds left behind. */
void sweep_stale(const char *dir, const char *tag);
/* Removes the regular files in dir whose name holds marker (not those
 * starting with '.') that no process holds an flock on and that have not
 * changed for TMPDIR_STALE_SECONDS: what a killed writer left (a live
 * writer holds an flock on its temporary).  The number removed. */
size_t sweep_stale_files(const char *dir, const char *marker);
/* The names in dir that end in suffix (with something before it, and not
 * starting with '.'), sorted, NULL-terminated; free them with strv_free. */
int dir_list_sorted(const char *dir, const char *suffix, char ***ret, size_t *ret_n, struct perr *err);

/* 0 if path is a regular file readable by us, else -errno. */
int check_file_readable(const char *path);
/* Size of a file, or -1. */
long long file_size(const char *path);

/* The whole of a text file, NUL-terminated (malloc'd; "" when empty), at
 * most max bytes; NULL with errno set (ENOENT: no such file, EFBIG: longer
 * than max). */
char *file_read_text(const char *path, size_t max);
/* read(2) retrying EINTR: bytes read, 0 at the end, or -errno. */
ssize_t fd_read(int fd, void *buf, size_t len);
/* Writes all of buf to fd, retrying short writes and EINTR; 0 or -errno. */
int fd_write_all(int fd, const void *buf, size_t len);

#endif
