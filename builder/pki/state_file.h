/* state_file: the cluster state file on disk — where it is, the lock a
 * build holds on it, its mode, and replacing it whole.
 *
 * The lock is flock(2) on the file itself.  Saving renames a new file over
 * it, so whoever takes a lock checks afterwards that the path still names
 * the file it locked (else it opens the new one), and the saver locks the
 * new file before it lets go of the old one. */
#ifndef PADDOCK_PKI_STATE_FILE_H
#define PADDOCK_PKI_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"

/* "dir/name.paddock-state" for "dir/name.yml" (or .yaml, or any other
 * name, to which the suffix is added).  NULL when out of memory. */
char *state_file_path(const char *cluster_file);

struct state_lock_opts {
	bool create;    /* no file: create an empty one (0600) */
	/* said once before waiting for another process's lock; may be NULL */
	void (*waiting)(void *ctx, const char *path);
	void *ctx;
};

/* Opens and locks path; the locked descriptor in *ret_fd.  Refuses a file
 * that is not regular, that group or others may read or write, or that
 * belongs to another user (root excepted).  *ret_created: this call made
 * the (empty) file. */
int state_file_lock(const char *path, const struct state_lock_opts *o, int *ret_fd, bool *ret_created,
		     struct perr *err);

/* All of the locked file (at most max bytes), NUL-terminated. */
int state_file_read(int fd, const char *path, size_t max, char **ret, size_t *ret_len, struct perr *err);

/* Replaces path by buf (0600, atomically, synced), then moves the lock in
 * *fd over to the new file. */
int state_file_replace(const char *path, int *fd, const void *buf, size_t len, struct perr *err);

#endif
