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

/* Opens path, creating it when asked; -ENOENT when it is not there. */
static int open_state(const char *path, bool create, bool *created, struct perr *err)
{
	*created = false;
	for (;;) {
		int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 || errno != ENOENT)
			return fd >= 0 ? fd : perr_set(err, -errno, "%s: %s", path, strerror(errno));
		if (!create)
			return perr_set(err, -ENOENT, "%s: no such file", path);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno == EEXIST)
			continue; /* another build made it first */
		if (fd < 0)
			return perr_set(err, -errno, "%s: cannot create: %s", path, strerror(errno));
		if (fchmod(fd, 0600) < 0) {
			int e = errno;
			close(fd);
			return perr_set(err, -e, "%s: chmod: %s", path, strerror(e));
		}
		*created = true;
		return fd;
	}
}

int state_file_lock(const char *path, const struct state_lock_opts *o, int *ret_fd, bool *ret_created,
		    struct perr *err)
{
	bool said = false;
	for (;;) {
		bool created;
		int fd = open_state(path, o->create, &created, err), r;
		if (fd < 0)
			return fd;
		if ((r = flock_wait(fd, path, o, &said, err)) < 0) {
			close(fd);
			return r;
		}
		/* the file locked must still be the one the path names */
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			if ((r = check_mode(fd, path, err)) < 0) {
				close(fd);
				return r;
			}
			*ret_fd = fd;
			*ret_created = created;
			return 0;
		}
		close(fd);
	}
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

/* fsync of path (a file, or the directory holding it). */
static int sync_path(const char *path, int flags, struct perr *err)
{
	int fd = open(path, flags | O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return perr_set(err, -e, "%s: sync: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

int state_file_replace(const char *path, int *fd, const void *buf, size_t len, struct perr *err)
{
	char *dir = strdup(path);
	int r;
	if (!dir)
		return perr_set(err, -ENOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	r = write_file(path, buf, len, 0600, err);
	if (r >= 0)
		r = sync_path(path, 0, err);
	if (r >= 0)
		r = sync_path(slash ? dir : ".", O_DIRECTORY, err);
	free(dir);
	if (r < 0)
		return r;
	int nfd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (nfd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	while (flock(nfd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int e = errno;
			close(nfd);
			return perr_set(err, -e, "%s: cannot lock: %s", path, strerror(e));
		}
	close(*fd);
	*fd = nfd;
	return 0;
}
