#include "mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "strbuf.h"

#define NEWROOT "/.paddock-root"

static int copy_file(int sfd, int dfd, off_t size)
{
	off_t left = size;

	while (left > 0) {
		ssize_t n = sendfile(dfd, sfd, NULL, left > (1 << 30) ? (1 << 30) : (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		left -= n;
	}
	return 0;
}

static int move_entry(int sdir, int ddir, const char *name, int unlink_src, unsigned long skip_dev,
		      struct perr *err)
{
	struct stat st;
	int r = 0;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return perr_set(err, -errno, "%s: %s", name, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		int s, d;
		if (skip_dev && st.st_dev == skip_dev)
			return 0;
		if (mkdirat(ddir, name, st.st_mode & 07777) < 0 && errno != EEXIST)
			return perr_set(err, -errno, "mkdir %s: %s", name, strerror(errno));
		s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0) {
			r = perr_set(err, -errno, "open %s: %s", name, strerror(errno));
		} else {
			r = tree_move(s, d, unlink_src, skip_dev, err);
			if (r == 0) {
				(void)!fchown(d, st.st_uid, st.st_gid);
				(void)!fchmod(d, st.st_mode & 07777);
			}
		}
		if (s >= 0)
			close(s);
		if (d >= 0)
			close(d);
		if (r < 0)
			return perr_wrap(err, "%s", name);
		if (unlink_src)
			unlinkat(sdir, name, AT_REMOVEDIR); /* fails for mount points: fine */
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		int s = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int d = s < 0 ? -1 : openat(ddir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
					    st.st_mode & 07777);
		if (s < 0 || d < 0)
			r = perr_set(err, -errno, "open %s: %s", name, strerror(errno));
		else if ((r = copy_file(s, d, st.st_size)) < 0)
			r = perr_set(err, r, "copy %s: %s", name, strerror(-r));
		else if (fchown(d, st.st_uid, st.st_gid) < 0 || fchmod(d, st.st_mode & 07777) < 0)
			r = perr_set(err, -errno, "chown %s: %s", name, strerror(errno));
		if (s >= 0)
			close(s);
		if (d >= 0)
			close(d);
	} else if (S_ISLNK(st.st_mode)) {
		struct strbuf target = STRBUF_INIT;
		size_t cap = 256;
		for (;;) {
			char *buf = malloc(cap);
			ssize_t n = buf ? readlinkat(sdir, name, buf, cap) : -1;
			if (n < 0) {
				r = perr_set(err, buf ? -errno : -ENOMEM, "readlink %s", name);
				free(buf);
				break;
			}
			if ((size_t)n < cap) {
				sb_add(&target, buf, (size_t)n);
				free(buf);
				break;
			}
			free(buf);
			cap *= 2;
		}
		if (r == 0 && (target.err || !target.s))
			r = perr_set(err, -ENOMEM, "readlink %s", name);
		if (r == 0 && symlinkat(target.s, ddir, name) < 0 && errno != EEXIST)
			r = perr_set(err, -errno, "symlink %s: %s", name, strerror(errno));
		if (r == 0)
			(void)!fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
		sb_free(&target);
	} else {
		if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0 && errno != EEXIST)
			r = perr_set(err, -errno, "mknod %s: %s", name, strerror(errno));
		else
			(void)!fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
	}
	if (r == 0 && unlink_src)
		unlinkat(sdir, name, 0);
	return r;
}

int tree_move(int src_dir, int dst_dir, int unlink_src, unsigned long skip_dev, struct perr *err)
{
	int fd = dup(src_dir);
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		r = perr_set(err, -errno, "opendir: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	/* Names first: unlinking while readdir() walks a tmpfs directory skips
	 * entries (seen: files of the second initramfs layer went missing). */
	while ((de = readdir(d))) {
		char **g;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		g = realloc(names, (n + 1) * sizeof(*names));
		if (!g || !(g[n] = strdup(de->d_name))) {
			names = g ? g : names;
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		names = g;
		n++;
	}
	closedir(d);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = move_entry(src_dir, dst_dir, names[i], unlink_src, skip_dev, err);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int root_to_tmpfs(char *const argv[], struct perr *err)
{
	struct stat st;
	int sfd, dfd, r;

	if (mkdir(NEWROOT, 0755) < 0 && errno != EEXIST)
		return perr_set(err, -errno, "mkdir %s: %s", NEWROOT, strerror(errno));
	/* size: the kernel's default (half of RAM) would cap containers' layers */
	if (mount("tmpfs", NEWROOT, "tmpfs", 0, "mode=0755,size=90%") < 0)
		return perr_set(err, -errno, "mount tmpfs: %s", strerror(errno));
	if (stat(NEWROOT, &st) < 0)
		return perr_set(err, -errno, "stat %s: %s", NEWROOT, strerror(errno));
	sfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dfd = open(NEWROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0 || dfd < 0) {
		r = perr_set(err, -errno, "open root: %s", strerror(errno));
		goto out;
	}
	if ((r = tree_move(sfd, dfd, 1, st.st_dev, err)) < 0)
		goto out;
	if (chdir(NEWROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0) {
		r = perr_set(err, -errno, "switch root: %s", strerror(errno));
		goto out;
	}
	close(sfd);
	close(dfd);
	setenv(ROOT_ENV, "tmpfs", 1);
	execv("/init", argv);
	return perr_set(err, -errno, "exec /init on tmpfs: %s", strerror(errno));
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

struct mnt {
	const char *src, *dst, *type;
	unsigned long flags;
	const char *data;
	mode_t mode;
};

int mounts_early(struct perr *err)
{
	static const struct mnt m[] = {
		{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
		{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
		{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755 },
		{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666", 0755 },
		{ "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
		{ "mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0755 },
		{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755 },
		{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
		{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, "nsdelegate", 0755 },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (mkdir(m[i].dst, m[i].mode) < 0 && errno != EEXIST)
			return perr_set(err, -errno, "mkdir %s: %s", m[i].dst, strerror(errno));
		if (mount(m[i].src, m[i].dst, m[i].type, m[i].flags, m[i].data) < 0 && errno != EBUSY)
			return perr_set(err, -errno, "mount %s on %s: %s", m[i].type, m[i].dst, strerror(errno));
	}
	/* the root and all beneath it shared, as systemd makes them: the
	 * kubelet's binds (RKE's /var/lib/kubelet:shared, /var/lib/docker:rslave)
	 * need a shared mount under them, or Docker refuses to start it; the
	 * state disk's mounts, made later, are shared too */
	if (mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0)
		return perr_set(err, -errno, "make / shared: %s", strerror(errno));
	/* /var/run is where docker and most daemons look */
	if (symlink("/run", "/var/run") < 0 && errno != EEXIST) {
		mkdir("/var", 0755);
		if (symlink("/run", "/var/run") < 0 && errno != EEXIST)
			return perr_set(err, -errno, "symlink /var/run: %s", strerror(errno));
	}
	mkdir("/run/paddock", 0700);
	return 0;
}

/* Mount points from /proc/self/mounts, in order; a heap array of heap strings. */
static char **read_mounts(size_t *n)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char *line = NULL, **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		char *sp1 = strchr(line, ' '), *sp2, *mp, **g;
		if (!sp1 || !(sp2 = strchr(sp1 + 1, ' ')))
			continue;
		mp = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
		g = mp ? realloc(v, (*n + 1) * sizeof(*v)) : NULL;
		if (!g) {
			free(mp);
			break;
		}
		v = g;
		v[(*n)++] = mp;
	}
	free(line);
	fclose(f);
	return v;
}

/* "\040" in /proc/self/mounts stands for a space, and so on. */
static void unescape_octal(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int mounts_unmount_all(int *ret_left, struct perr *err)
{
	size_t n;
	char **v;
	int left = 0;

	sync();
	/* two passes: a mount under another must go first, reverse order does that */
	for (int pass = 0; pass < 2; pass++) {
		v = read_mounts(&n);
		if (!v)
			return perr_set(err, -EIO, "cannot read /proc/self/mounts");
		left = 0;
		for (size_t i = n; i-- > 0;) {
			unescape_octal(v[i]);
			if (!strcmp(v[i], "/") || !strcmp(v[i], "/proc") || !strcmp(v[i], "/dev") ||
			    !strcmp(v[i], "/sys")) {
				continue;
			}
			if (umount2(v[i], 0) < 0 && errno != EINVAL && errno != ENOENT) {
				if (pass == 1 && umount2(v[i], MNT_DETACH) < 0)
					left++;
				else if (pass == 0)
					left++;
			}
		}
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		if (!left)
			break;
	}
	mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
	sync();
	*ret_left = left;
	return 0;
}
