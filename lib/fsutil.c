/* fsutil: paths, directory trees and atomic whole-file writes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "strbuf.h"
#include "strv.h"

char *path_join(const char *a, const char *b)
{
	char *s = NULL;
	size_t la = strlen(a);
	while (*b == '/')
		b++;
	if (asprintf(&s, "%s%s%s", a, (la && a[la - 1] == '/') ? "" : "/", b) < 0)
		return NULL;
	return s;
}

int mkdir_p(const char *path, mode_t mode, struct perr *err)
{
	char *p = strdup(path);
	if (!p)
		return perr_set(err, -ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				int e = errno;
				int r = perr_set(err, -e, "%s: cannot create directory: %s", p, strerror(e));
				free(p);
				return r;
			}
			if (!c)
				break;
			*s = c;
		}
	}
	free(p);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = flag == FTW_DP ? rmdir(path) : unlink(path);
	return r < 0 && errno != ENOENT ? -errno : 0;
}

int rm_rf(const char *path, struct perr *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : perr_set(err, -errno, "%s: %s", path, strerror(errno));
	int r = nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
	if (r != 0)
		return perr_set(err, r < 0 ? r : -EIO, "removing %s: %s", path,
				strerror(r < 0 ? -r : EIO));
	return 0;
}

void rm_rf_quiet(const char *path)
{
	struct perr ignore = PERR_INIT;
	rm_rf(path, &ignore);
	perr_clear(&ignore);
}

ssize_t fd_read(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

int fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* "<path>.tmp-XXXXXX" with the X still to fill (mkostemp). */
static char *tmp_template(const char *path)
{
	char *tmp = NULL;
	return asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0 ? NULL : tmp;
}

/* Opens a new "<path>.tmp-XXXXXX" (random, O_EXCL|O_NOFOLLOW: nothing
 * planted at a name can be followed) for writing with exactly mode;
 * *ret_tmp gets its name. */
static int open_tmp(const char *path, mode_t mode, char **ret_tmp, struct perr *err)
{
	char *tmp = tmp_template(path);
	if (!tmp)
		return perr_set(err, -ENOMEM, "out of memory");
	int fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return perr_set(err, -e, "%s: cannot create: %s", path, strerror(e));
	}
	if (fchmod(fd, mode) < 0) { /* umask must not loosen or tighten it */
		int e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return perr_set(err, -e, "%s: chmod: %s", path, strerror(e));
	}
	*ret_tmp = tmp;
	return fd;
}

/* fsync of the directory that holds path. */
static int sync_parent(const char *path, struct perr *err)
{
	char *dir = strdup(path);
	if (!dir)
		return perr_set(err, -ENOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;
	if (fd < 0 || fsync(fd) < 0)
		r = perr_set(err, -errno, "%s: sync: %s", slash ? dir : ".", strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

/* Closes fd and, when r is 0, renames tmp to path; else removes tmp.
 * durable: the data reaches the disk before the rename and the rename
 * after it, so a crash leaves the old file or the new one, never an
 * empty one. */
static int finish_tmp(int fd, char *tmp, const char *path, int r, bool durable, struct perr *err)
{
	if (r == 0 && durable && fsync(fd) < 0)
		r = perr_set(err, -errno, "%s: sync: %s", path, strerror(errno));
	if (r == 0 && close(fd) < 0)
		r = perr_set(err, -errno, "%s: close: %s", path, strerror(errno));
	else if (r < 0)
		close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = perr_set(err, -errno, "%s: rename: %s", path, strerror(errno));
	if (r < 0)
		unlink(tmp);
	free(tmp);
	if (r == 0 && durable)
		r = sync_parent(path, err);
	return r;
}

int write_file(const char *path, const void *buf, size_t len, mode_t mode, struct perr *err)
{
	char *tmp;
	int fd = open_tmp(path, mode, &tmp, err), r = 0;
	if (fd < 0)
		return fd;
	if ((r = fd_write_all(fd, buf, len)) < 0)
		r = perr_set(err, r, "%s: write: %s", path, strerror(-r));
	return finish_tmp(fd, tmp, path, r, true, err);
}

/* What fd_copy was doing when it failed. */
enum copy_step { COPY_RANGE, COPY_READ, COPY_WRITE, COPY_MEMORY };

/* Copies in (from its start, to an empty out): a reflink where the file
 * system shares blocks (btrfs, XFS), else copy_file_range, else read/write.
 * 0, or -errno with the failed step in *ret_step. */
static int fd_copy(int in, int out, enum copy_step *ret_step)
{
	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0 || errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
			*ret_step = COPY_RANGE;
			return -errno;
		}
		break;
	}
	/* read/write from the current offsets */
	char *buf = malloc(1 << 20);
	ssize_t m;
	int r = 0;
	if (!buf) {
		*ret_step = COPY_MEMORY;
		return -ENOMEM;
	}
	while ((m = fd_read(in, buf, 1 << 20)) > 0) {
		if ((r = fd_write_all(out, buf, (size_t)m)) < 0) {
			*ret_step = COPY_WRITE;
			break;
		}
	}
	if (m < 0) {
		*ret_step = COPY_READ;
		r = (int)m;
	}
	free(buf);
	return r;
}

int copy_file(const char *src, const char *dst, mode_t mode, struct perr *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return perr_set(err, -errno, "%s: cannot open: %s", src, strerror(errno));
	char *tmp;
	int fd = open_tmp(dst, mode, &tmp, err), r = 0;
	if (fd < 0) {
		close(in);
		return fd;
	}
	enum copy_step step;
	if ((r = fd_copy(in, fd, &step)) < 0) {
		if (step == COPY_MEMORY)
			r = perr_set(err, r, "out of memory");
		else if (step == COPY_READ)
			r = perr_set(err, r, "%s: read: %s", src, strerror(-r));
		else if (step == COPY_WRITE)
			r = perr_set(err, r, "%s: write: %s", dst, strerror(-r));
		else
			r = perr_set(err, r, "copying %s to %s: %s", src, dst, strerror(-r));
	}
	close(in);
	return finish_tmp(fd, tmp, dst, r, false, err);
}

/* A name for a new temporary beside path: "<path>.tmp-" and six random
 * letters, not yet created (for link(2), which never follows a symlink
 * there and fails when the name is taken). */
static char *tmp_name(const char *path)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];
	char *tmp = tmp_template(path);
	if (!tmp || getentropy(rnd, sizeof rnd) < 0) {
		free(tmp);
		return NULL;
	}
	char *x = tmp + strlen(tmp) - sizeof rnd;
	for (size_t i = 0; i < sizeof rnd; i++)
		x[i] = abc[rnd[i] % (sizeof abc - 1)];
	return tmp;
}

int link_or_copy(const char *src, const char *dst, mode_t mode, struct perr *err)
{
	struct stat st;
	char *tmp = NULL;
	if (stat(src, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == mode && (tmp = tmp_name(dst))) {
		if (link(src, tmp) == 0) {
			if (rename(tmp, dst) == 0) {
				free(tmp);
				return 0;
			}
			unlink(tmp);
		}
	}
	free(tmp);
	return copy_file(src, dst, mode, err);
}

static struct timespec times_value[2];

static int set_times_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return utimensat(AT_FDCWD, p, times_value, AT_SYMLINK_NOFOLLOW) < 0 ? -1 : 0;
}

int set_tree_times(const char *path, long long t, struct perr *err)
{
	times_value[0].tv_sec = times_value[1].tv_sec = (time_t)t;
	times_value[0].tv_nsec = times_value[1].tv_nsec = 0;
	if (nftw(path, set_times_one, 16, FTW_PHYS) != 0)
		return perr_set(err, -errno, "%s: cannot set file times: %s", path, strerror(errno));
	return 0;
}

int replace_dir(const char *src, const char *dst, struct perr *err)
{
	char *old = NULL;
	int r = 0;
	if (asprintf(&old, "%s.old", dst) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	if ((r = rm_rf(old, err)) < 0)
		goto done;
	if (rename(dst, old) < 0 && errno != ENOENT) {
		r = perr_set(err, -errno, "%s: rename: %s", dst, strerror(errno));
		goto done;
	}
	if (rename(src, dst) < 0) {
		r = perr_set(err, -errno, "%s: rename to %s: %s", src, dst, strerror(errno));
		goto done;
	}
	r = rm_rf(old, err);
done:
	free(old);
	return r;
}

int publish_dir(const char *tmp, const char *dir, struct perr *err)
{
	if (rename(tmp, dir) < 0 && errno != EEXIST && errno != ENOTEMPTY)
		return perr_set(err, -errno, "%s: %s", dir, strerror(errno));
	return 0;
}

int check_file_readable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EISDIR;
	if (access(path, R_OK) < 0)
		return -errno;
	return 0;
}

long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : (long long)st.st_size;
}

int tmpdir_create(const char *dir, const char *tag, struct tmpdir *t, struct perr *err)
{
	char *lock = NULL;
	int r = 0;
	t->lock_fd = -1;
	if (asprintf(&t->path, "%s/.%s.tmp-%ld-XXXXXX", dir, tag, (long)getpid()) < 0) {
		t->path = NULL;
		return perr_set(err, -ENOMEM, "out of memory");
	}
	if (!mkdtemp(t->path)) {
		r = perr_set(err, -errno, "%s: %s", t->path, strerror(errno));
		free(t->path);
		t->path = NULL;
		return r;
	}
	chmod(t->path, 0755);
	/* O_RDWR: where flock is emulated with fcntl locks (NFS) a write lock
	 * needs a descriptor open for writing */
	if (!(lock = path_join(t->path, TMPDIR_LOCK)))
		r = perr_set(err, -ENOMEM, "out of memory");
	else if ((t->lock_fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
		 flock(t->lock_fd, LOCK_EX | LOCK_NB) < 0)
		r = perr_set(err, -errno, "%s: cannot lock: %s", lock, strerror(errno));
	free(lock);
	if (r < 0)
		tmpdir_end(t);
	return r;
}

void tmpdir_drop_lockfile(struct tmpdir *t)
{
	char *lock = t->path ? path_join(t->path, TMPDIR_LOCK) : NULL;
	if (lock)
		unlink(lock);
	free(lock);
}

void tmpdir_end(struct tmpdir *t)
{
	if (t->path)
		rm_rf_quiet(t->path);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t->path);
	t->path = NULL;
	t->lock_fd = -1;
}

/* Whether the temporary p is left over: nobody holds its lock (taken here
 * while *ret_fd stays open) and it has not changed for a while. */
static int is_stale(const char *p, int *ret_fd)
{
	struct stat st;
	char *lock = path_join(p, TMPDIR_LOCK);
	int fd = lock ? open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC) : -1;
	free(lock);
	*ret_fd = fd;
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
		return 0; /* in use (or a lock we cannot judge) */
	if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return time(NULL) - st.st_mtime >= TMPDIR_STALE_SECONDS;
}

void sweep_stale(const char *dir, const char *tag)
{
	DIR *d = opendir(dir);
	char *prefix = NULL;
	if (!d)
		return;
	if (asprintf(&prefix, ".%s.tmp-", tag) < 0) {
		closedir(d);
		return;
	}
	size_t pl = strlen(prefix);
	for (struct dirent *e; (e = readdir(d));) {
		if (strncmp(e->d_name, prefix, pl))
			continue;
		char *p = path_join(dir, e->d_name);
		int fd = -1;
		if (p && is_stale(p, &fd))
			rm_rf_quiet(p);
		if (fd >= 0)
			close(fd);
		free(p);
	}
	free(prefix);
	closedir(d);
}

/* Whether dir/name is a file left over: a regular file (not a link),
 * unchanged for TMPDIR_STALE_SECONDS, that nobody holds an flock on. */
static bool file_is_stale(int dirfd, const char *name)
{
	struct stat st, again;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	bool stale = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		     time(NULL) - st.st_mtime >= TMPDIR_STALE_SECONDS && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		     fstatat(dirfd, name, &again, AT_SYMLINK_NOFOLLOW) == 0 && again.st_dev == st.st_dev &&
		     again.st_ino == st.st_ino;
	if (fd >= 0)
		close(fd);
	return stale;
}

size_t sweep_stale_files(const char *dir, const char *marker)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.' && strstr(e->d_name, marker) && file_is_stale(dirfd(d), e->d_name) &&
		    unlinkat(dirfd(d), e->d_name, 0) == 0)
			n++;
	closedir(d);
	return n;
}

int dir_list_sorted(const char *dir, const char *suffix, char ***ret, size_t *ret_n, struct perr *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strv names = STRV_INIT;
	size_t sl = strlen(suffix);

	if (!d)
		return perr_set(err, -errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, suffix))
			continue;
		strv_add(&names, de->d_name);
	}
	closedir(d);
	strv_sort(&names);
	*ret_n = names.n;
	if (!(*ret = strv_steal(&names)))
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

char *file_read_text(const char *path, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	sb.max = max;
	while ((n = fd_read(fd, buf, sizeof(buf))) > 0)
		sb_add(&sb, buf, (size_t)n);
	close(fd);
	if (n < 0 || sb.err) {
		sb_free(&sb);
		errno = n < 0 ? (int)-n : EFBIG;
		return NULL;
	}
	return sb.s ? sb_steal(&sb) : strdup("");
}
