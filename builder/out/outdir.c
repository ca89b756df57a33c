/* outdir: an output directory swapped in whole, and only where that loses
 * nothing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "out/outdir.h"

#define HOW_TO_PROCEED "choose an empty or new directory as OUT, or remove this one yourself"

bool outdir_name_taken(const char *name)
{
	/* media trees are built as <tree>.tmp and replace <tree> via <tree>.old */
	static const char *const taken[] = { ".", "..", "base.img", "vmlinuz", "manifest.json", "SHA256SUMS",
					     "etcd", "ssh_config", "known_hosts", "tftp", "tftp.tmp", "tftp.old",
					     "ipxe", "ipxe.tmp", "ipxe.old", OUTDIR_MARKER, NULL };
	for (size_t i = 0; taken[i]; i++)
		if (!strcmp(name, taken[i]))
			return true;
	return false;
}

/* path made absolute with every symlink resolved, also when its last parts
 * do not exist yet; NULL when out of memory. */
static char *canonical(const char *path)
{
	char *r = realpath(path, NULL);
	if (r || errno == ENOMEM)
		return r;
	char *a = strdup(path), *b = strdup(path), *s = NULL;
	if (a && b) {
		const char *parent = dirname(a), *name = basename(b);
		if (!strcmp(parent, path)) /* "/" or "." that realpath refused */
			s = strdup(path);
		else if ((r = canonical(parent)) && asprintf(&s, "%s/%s", strcmp(r, "/") ? r : "", name) < 0)
			s = NULL;
	}
	free(r);
	free(a);
	free(b);
	return s;
}

/* a is b, or lies below it (both canonical). */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	if (!strcmp(b, "/"))
		return true;
	return !strncmp(a, b, n) && (a[n] == 0 || a[n] == '/');
}

/* Fails when OUT (canonical) is path p, or holds it, or (inside_too) lies in it. */
static int keep_clear(const char *final, const char *out, const char *p, const char *what, bool inside_too,
		      struct perr *err)
{
	if (!p || !*p)
		return 0;
	char *c = canonical(p);
	int r = 0;
	if (!c)
		return perr_set(err, -ENOMEM, "out of memory");
	if (!strcmp(out, c))
		r = perr_set(err, -EINVAL, "%s: is %s; " HOW_TO_PROCEED, final, what);
	else if (within(c, out))
		r = perr_set(err, -EINVAL, "%s: holds %s, %s; " HOW_TO_PROCEED, final, p, what);
	else if (inside_too && within(out, c))
		r = perr_set(err, -EINVAL, "%s: lies inside %s, %s; " HOW_TO_PROCEED, final, p, what);
	free(c);
	return r;
}

/* An earlier output: the marker is a regular file whose first line is the format. */
static bool is_earlier_output(const char *dir)
{
	char *m = path_join(dir, OUTDIR_MARKER), buf[sizeof(OUTDIR_FORMAT) + 1] = { 0 };
	int fd = m ? open(m, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	struct stat st;
	bool ok = false;
	free(m);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fd_read(fd, buf, sizeof(buf) - 1) >= 0)
		ok = !strncmp(buf, OUTDIR_FORMAT "\n", sizeof(buf) - 1);
	close(fd);
	return ok;
}

static int is_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	int empty = 1;
	if (!d)
		return -errno;
	for (struct dirent *e; empty && (e = readdir(d));)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/* Everything that must hold before OUT (canonical: out) may be replaced. */
static int check_out(const char *final, const char *out, const struct outdir_keep *k, struct perr *err)
{
	const char *home = getenv("HOME");
	int r;
	if (!strcmp(out, "/"))
		return perr_set(err, -EINVAL, "%s: is the root directory; " HOW_TO_PROCEED, final);
	if ((r = keep_clear(final, out, home, "your home directory", false, err)) < 0 ||
	    (k && (r = keep_clear(final, out, k->input, "the cluster file being built", false, err)) < 0) ||
	    (k && (r = keep_clear(final, out, k->root, "the source tree (--root)", false, err)) < 0) ||
	    (k && (r = keep_clear(final, out, k->cache, "paddock's cache (--cache)", true, err)) < 0))
		return r;
	struct stat st;
	if (lstat(final, &st) < 0)
		return errno == ENOENT ? 0 : perr_set(err, -errno, "%s: %s", final, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return perr_set(err, -ENOTDIR, "%s: exists and is not a directory", final);
	if ((r = is_empty_dir(final)) < 0)
		return perr_set(err, r, "%s: %s", final, strerror(-r));
	if (!r && !is_earlier_output(final))
		return perr_set(err, -EEXIST, "%s: is not empty and not an earlier paddock output (it has no "
				OUTDIR_MARKER "); a build replaces OUT whole, so " HOW_TO_PROCEED, final);
	return 0;
}

static int write_marker(const char *dir, struct perr *err)
{
	static const char text[] = OUTDIR_FORMAT "\n"
				   "Written by `paddock build`: the next build into this directory replaces all of it.\n";
	char *p = path_join(dir, OUTDIR_MARKER);
	int r = p ? write_file(p, text, sizeof(text) - 1, 0644, err) : perr_set(err, -ENOMEM, "out of memory");
	free(p);
	return r;
}

/* The checks of outdir_begin; with create, also the temporary. */
static int begin(struct outdir *o, const char *final, const struct outdir_keep *keep, bool create,
		 struct perr *err)
{
	char *a = strdup(final), *b = strdup(final), *out = NULL;
	int r = 0;
	memset(o, 0, sizeof(*o));
	o->tmp.lock_fd = -1;
	if (!a || !b || !(o->final = strdup(final))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* strip trailing slashes so dirname/basename see the directory itself */
	for (size_t n = strlen(a); n > 1 && a[n - 1] == '/'; n--)
		a[n - 1] = b[n - 1] = o->final[n - 1] = 0;
	const char *parent = dirname(a), *name = basename(b);
	struct stat st;
	if (!strcmp(name, "/") || !strcmp(name, ".") || !strcmp(name, "..")) {
		r = perr_set(err, -EINVAL, "%s: not usable as an output directory; choose an empty or new directory as OUT",
			      final);
		goto out;
	}
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = perr_set(err, -ENOENT, "%s: parent directory %s does not exist", final, parent);
		goto out;
	}
	if (!(out = canonical(o->final))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = check_out(final, out, keep, err)) < 0 || !create)
		goto out;
	sweep_stale(parent, name);
	if ((r = tmpdir_create(parent, name, &o->tmp, err)) == 0 && (r = write_marker(o->tmp.path, err)) < 0)
		tmpdir_end(&o->tmp);
out:
	free(a);
	free(b);
	free(out);
	if (r < 0 || !create) {
		free(o->final);
		o->final = NULL;
	}
	return r;
}

int outdir_check(const char *final, const struct outdir_keep *keep, struct perr *err)
{
	struct outdir o;
	return begin(&o, final, keep, false, err);
}

int outdir_begin(struct outdir *o, const char *final, const struct outdir_keep *keep, struct perr *err)
{
	return begin(o, final, keep, true, err);
}

int outdir_commit(struct outdir *o, struct perr *err)
{
	struct stat st;
	const char *tmp = o->tmp.path;
	tmpdir_drop_lockfile(&o->tmp);
	if (lstat(o->final, &st) == 0) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) < 0)
			return perr_set(err, -errno, "replacing %s: %s", o->final, strerror(errno));
		/* the temporary's name now holds the previous output: tmpdir_end removes it */
	} else if (rename(tmp, o->final) < 0) {
		return perr_set(err, -errno, "%s: %s", o->final, strerror(errno));
	}
	tmpdir_end(&o->tmp);
	free(o->final);
	o->final = NULL;
	return 0;
}

void outdir_abort(struct outdir *o)
{
	tmpdir_end(&o->tmp);
	free(o->final);
	o->final = NULL;
}
