#include "out/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

char *out_join(const char *a, const char *b)
{
	char *s = NULL;
	size_t la = strlen(a);
	if (asprintf(&s, "%s%s%s", a, (la && a[la - 1] == '/') ? "" : "/", b) < 0)
		return NULL;
	return s;
}

int out_mkdirs(const char *path, mode_t mode, struct perr *err)
{
	char *failed;
	int r = mkdir_parents(path, mode, &failed);
	if (r < 0 && !failed)
		return perr_set(err, r, "out of memory");
	if (r < 0)
		r = perr_set(err, r, "%s: cannot create directory: %s", failed, strerror(-r));
	free(failed);
	return r;
}

/* Opens "<path>.tmp.<pid>" for writing; *ret_tmp gets its name. */
static int open_tmp(const char *path, mode_t mode, char **ret_tmp, struct perr *err)
{
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
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

static int finish_tmp(int fd, char *tmp, const char *path, int r, struct perr *err)
{
	if (r == 0 && close(fd) < 0)
		r = perr_set(err, -errno, "%s: close: %s", path, strerror(errno));
	else if (r < 0)
		close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = perr_set(err, -errno, "%s: rename: %s", path, strerror(errno));
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

int out_write(const char *path, const void *data, size_t len, mode_t mode, struct perr *err)
{
	char *tmp;
	int fd = open_tmp(path, mode, &tmp, err), r = 0;
	if (fd < 0)
		return fd;
	if ((r = fd_write_all(fd, data, len)) < 0)
		r = perr_set(err, r, "%s: write: %s", path, strerror(-r));
	return finish_tmp(fd, tmp, path, r, err);
}

int out_copy(const char *src, const char *dst, mode_t mode, struct perr *err)
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
	enum fd_copy_step step;
	if ((r = fd_copy(in, fd, &step)) < 0) {
		if (step == FD_COPY_MEMORY)
			r = perr_set(err, r, "out of memory");
		else if (step == FD_COPY_READ)
			r = perr_set(err, r, "%s: read: %s", src, strerror(-r));
		else if (step == FD_COPY_WRITE)
			r = perr_set(err, r, "%s: write: %s", dst, strerror(-r));
		else
			r = perr_set(err, r, "copying %s to %s: %s", src, dst, strerror(-r));
	}
	close(in);
	return finish_tmp(fd, tmp, dst, r, err);
}

static struct timespec times_value[2];

static int set_times_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return utimensat(AT_FDCWD, p, times_value, AT_SYMLINK_NOFOLLOW) < 0 ? -1 : 0;
}

int out_set_times(const char *path, long long t, struct perr *err)
{
	times_value[0].tv_sec = times_value[1].tv_sec = (time_t)t;
	times_value[0].tv_nsec = times_value[1].tv_nsec = 0;
	if (nftw(path, set_times_one, 16, FTW_PHYS) != 0)
		return perr_set(err, -errno, "%s: cannot set file times: %s", path, strerror(errno));
	return 0;
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)f;
	return (flag == FTW_DP ? rmdir(p) : unlink(p)) < 0 ? -1 : 0;
}

int out_remove_tree(const char *path, struct perr *err)
{
	struct stat st;
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return perr_set(err, -errno, "%s: cannot remove: %s", path, strerror(errno));
	return 0;
}

int out_is_file(const char *path)
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

int out_replace_dir(const char *src, const char *dst, struct perr *err)
{
	char *old = NULL;
	int r = 0;
	if (asprintf(&old, "%s.old", dst) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	if ((r = out_remove_tree(old, err)) < 0)
		goto done;
	if (rename(dst, old) < 0 && errno != ENOENT) {
		r = perr_set(err, -errno, "%s: rename: %s", dst, strerror(errno));
		goto done;
	}
	if (rename(src, dst) < 0) {
		r = perr_set(err, -errno, "%s: rename to %s: %s", src, dst, strerror(errno));
		goto done;
	}
	r = out_remove_tree(old, err);
done:
	free(old);
	return r;
}

int out_link_or_copy(const char *src, const char *dst, mode_t mode, struct perr *err)
{
	struct stat st;
	char *tmp = NULL;
	if (stat(src, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == mode &&
	    asprintf(&tmp, "%s.tmp.%ld", dst, (long)getpid()) >= 0) {
		unlink(tmp);
		if (link(src, tmp) == 0) {
			if (rename(tmp, dst) == 0) {
				free(tmp);
				return 0;
			}
			unlink(tmp);
		}
	}
	free(tmp);
	return out_copy(src, dst, mode, err);
}
