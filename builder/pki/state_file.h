/* state_file: the cluster state file on disk — where it is, the lock a
 * build holds on it, its mode, and replacing it whole.
 *
 * The lock is flock(2) on "<state>.lock" beside it, a file that saving
 * never replaces, so it is held across the whole save.  A save keeps the
 * state it replaces as "<state>.bak" and writes the new one durably
 * (write_file: synced, renamed, directory synced); the state file itself
 * appears only with the first save, never empty. */
#ifndef PADDOCK_PKI_STATE_FILE_H
#define PADDOCK_PKI_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"

/* "dir/name.paddock-state" for "dir/name.yml" (or .yaml, or any other
 * name, to which the suffix is added).  NULL when out of memory. */
char *state_file_path(const char *cluster_file);

#define STATE_FILE_LOCK ".lock"
#define STATE_FILE_BACKUP ".bak"

/* "<path>.bak": the state before the last save (the first save's own copy
 * until a second); NULL when out of memory. */
char *state_file_backup_path(const char *path);

struct state_lock_opts {
	bool create;    /* no state file: not an error (*ret_fd is then -1) */
	/* said once before waiting for another process's lock; may be NULL */
	void (*waiting)(void *ctx, const char *path);
	void *ctx;
};

/* Takes the lock of path (held while *ret_lock stays open) and opens the
 * state file for reading into *ret_fd (-1: there is none yet).  Refuses a
 * file that is not regular, that group or others may read or write, or
 * that belongs to another user (root excepted). */
int state_file_lock(const char *path, const struct state_lock_opts *o, int *ret_lock, int *ret_fd,
		    struct perr *err);

/* All of the file (at most max bytes), NUL-terminated. */
int state_file_read(int fd, const char *path, size_t max, char **ret, size_t *ret_len, struct perr *err);

/* Replaces path by buf (0600, atomically, synced), the file it replaces
 * kept as path.bak.  The caller holds the lock. */
int state_file_replace(const char *path, const void *buf, size_t len, struct perr *err);

#endif
