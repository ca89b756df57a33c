/* fsutil: the few file system operations the builder repeats. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "strv.h"

char *path_join(const char *a, const char *b)
{
	char *s = NULL;
	while (*b == '/')
		b++;
	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

int mkdir_parents(const char *path, mode_t mode, char **ret_failed)
{
	char *p = strdup(path);
	*ret_failed = NULL;
	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				*ret_failed = p;
				return -errno;
			}
			if (!c)
				break;
			*s = c;
		}
	}
	free(p);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct perr *err)
{
	char *failed;
	int r = mkdir_parents(path, mode, &failed);
	if (r < 0 && !failed)
		return perr_set(err, r, "out of memory");
	free(failed);
	return r < 0 ? perr_set(err, r, "%s: %s", path, strerror(-r)) : 0;
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

int publish_dir(const char *tmp, const char *dir, struct perr *err)
{
	if (rename(tmp, dir) < 0 && errno != EEXIST && errno != ENOTEMPTY)
		return perr_set(err, -errno, "%s: %s", dir, strerror(errno));
	return 0;
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

int write_file(const char *path, const void *buf, size_t len, mode_t mode, struct perr *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	int r = fd_write_all(fd, buf, len);
	if (close(fd) < 0 && !r)
		r = -errno;
	if (r < 0) {
		unlink(path);
		return perr_set(err, r, "%s: %s", path, strerror(-r));
	}
	return 0;
}

int fd_copy(int in, int out, enum fd_copy_step *ret_step)
{
	int r = 0;
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			break;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
			*ret_step = FD_COPY_RANGE;
			r = -errno;
			break;
		}
		/* fall back to read/write from the current offsets */
		char *buf = malloc(1 << 20);
		if (!buf) {
			*ret_step = FD_COPY_MEMORY;
			r = -ENOMEM;
			break;
		}
		for (;;) {
			ssize_t m = read(in, buf, 1 << 20);
			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0) {
				*ret_step = FD_COPY_READ;
				r = -errno;
				break;
			}
			if (m == 0)
				break;
			if ((r = fd_write_all(out, buf, (size_t)m)) < 0) {
				*ret_step = FD_COPY_WRITE;
				break;
			}
		}
		free(buf);
		break;
	}
	return r;
}

int copy_file(const char *src, const char *dst, mode_t mode, struct perr *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, r = 0;
	if (in < 0)
		return perr_set(err, -errno, "%s: %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		r = perr_set(err, -errno, "%s: %s", dst, strerror(errno));
		close(in);
		return r;
	}
	enum fd_copy_step step; /* one message whatever the step */
	r = fd_copy(in, out, &step);
	close(in);
	if (close(out) < 0 && !r)
		r = -errno;
	if (r < 0) {
		unlink(dst);
		return perr_set(err, r, "copying %s to %s: %s", src, dst, strerror(-r));
	}
	return 0;
}

int link_or_copy(const char *src, const char *dst, mode_t mode, struct perr *err)
{
	if (link(src, dst) == 0)
		return 0;
	return copy_file(src, dst, mode, err);
}

long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : (long long)st.st_size;
}

int mkdtemp_pid(const char *dir, const char *tag, char **ret, struct perr *err)
{
	char *t = NULL;
	if (asprintf(&t, "%s/.%s.tmp-%ld-XXXXXX", dir, tag, (long)getpid()) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	if (!mkdtemp(t)) {
		int r = perr_set(err, -errno, "%s: %s", t, strerror(errno));
		free(t);
		return r;
	}
	chmod(t, 0755);
	*ret = t;
	return 0;
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
		char *end;
		long pid = strtol(e->d_name + pl, &end, 10);
		if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char *p = path_join(dir, e->d_name);
		if (p)
			rm_rf_quiet(p);
		free(p);
	}
	free(prefix);
	closedir(d);
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
