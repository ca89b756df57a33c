/* state_file: the state file on disk. */
#include "pki/state_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

#define SUFFIX ".paddock-state"

char *state_file_path(const char *cluster_file)
{
	size_t n = strlen(cluster_file);
	const char *base = strrchr(cluster_file, '/');
	base = base ? base + 1 : cluster_file;
	const char *dot = strrchr(base, '.');
	if (dot && dot > base && (!strcmp(dot, ".yml") || !strcmp(dot, ".yaml")))
		n = (size_t)(dot - cluster_file);
	char *p = NULL;
	return asprintf(&p, "%.*s" SUFFIX, (int)n, cluster_file) < 0 ? NULL : p;
}

static int flock_wait(int fd, const char *path, const struct state_lock_opts *o, bool *said,
		      struct perr *err)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return perr_set(err, -errno, "%s: cannot lock: %s", path, strerror(errno));
	if (!*said && o->waiting)
		o->waiting(o->ctx, path);
	*said = true;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return perr_set(err, -errno, "%s: cannot lock: %s", path, strerror(errno));
	return 0;
}

static int check_mode(int fd, const char *path, struct perr *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return perr_set(err, -EINVAL, "%s: not a regular file", path);
	if (st.st_mode & 077)
		return perr_set(err, -EPERM,
				"%s: mode %04o lets other users at the cluster's keys; "
				"make it private (chmod 600 %s) and consider the keys exposed",
				path, (unsigned)(st.st_mode & 07777), path);
	if (st.st_uid != geteuid() && geteuid() != 0)
		return perr_set(err, -EPERM, "%s: belongs to uid %u, not to you", path, (unsigned)st.st_uid);
	return 0;
}

/* "<path><suffix>"; NULL when out of memory. */
static char *beside(const char *path, const char *suffix)
{
	char *p = NULL;
	return asprintf(&p, "%s%s", path, suffix) < 0 ? NULL : p;
}

char *state_file_backup_path(const char *path)
{
	return beside(path, STATE_FILE_BACKUP);
}

int state_file_lock(const char *path, const struct state_lock_opts *o, int *ret_lock, int *ret_fd,
		    struct perr *err)
{
	bool said = false;
	char *lock = beside(path, STATE_FILE_LOCK);
	int r = 0, lfd = -1, fd = -1;
	if (!lock)
		return perr_set(err, -ENOMEM, "out of memory");
	/* O_RDWR: where flock is emulated with fcntl locks (NFS) a write lock
	 * needs a descriptor open for writing */
	if ((lfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		r = perr_set(err, -errno, "%s: %s", lock, strerror(errno));
	else if ((r = flock_wait(lfd, path, o, &said, err)) < 0)
		;
	else if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 && (errno != ENOENT || !o->create))
		r = errno == ENOENT ? perr_set(err, -ENOENT, "%s: no such file", path)
				    : perr_set(err, -errno, "%s: %s", path, strerror(errno));
	else if (fd >= 0)
		r = check_mode(fd, path, err);
	free(lock);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		if (lfd >= 0)
			close(lfd);
		return r;
	}
	*ret_lock = lfd;
	*ret_fd = fd;
	return 0;
}

int state_file_read(int fd, const char *path, size_t max, char **ret, size_t *ret_len, struct perr *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if ((unsigned long long)st.st_size > max)
		return perr_set(err, -EFBIG, "%s: larger than %zu bytes", path, max);
	size_t len = (size_t)st.st_size, got = 0;
	char *buf = malloc(len + 1);
	if (!buf)
		return perr_set(err, -ENOMEM, "out of memory");
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(buf);
			return perr_set(err, -e, "%s: read: %s", path, n < 0 ? strerror(e) : "file shrank");
		}
		got += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* The file path names, kept as "<path>.bak" (a new link renamed over the
 * old backup, or a copy where no link can be made): the state before
 * this save.  Nothing to keep before the first save. */
static int keep_backup(const char *path, struct perr *err)
{
	char *bak;
	int r;

	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (!(bak = state_file_backup_path(path)))
		return perr_set(err, -ENOMEM, "out of memory");
	r = link_or_copy(path, bak, 0600, err);
	free(bak);
	return r;
}

int state_file_replace(const char *path, const void *buf, size_t len, struct perr *err)
{
	char *bak;
	int r = keep_backup(path, err);

	if (r < 0 || (r = write_file(path, buf, len, 0600, err)) < 0)
		return r;
	/* the first save has no earlier state: its own copy (a copy, not a
	 * link, which a cut of the file in place would cut too) */
	if (!(bak = state_file_backup_path(path)))
		return perr_set(err, -ENOMEM, "out of memory");
	if (access(bak, F_OK) < 0 && errno == ENOENT)
		r = write_file(bak, buf, len, 0600, err);
	free(bak);
	return r;
}
