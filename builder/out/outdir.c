/* outdir: an output directory swapped in whole. */
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

int outdir_begin(struct outdir *o, const char *final, struct perr *err)
{
	char *a = strdup(final), *b = strdup(final);
	int r = 0;
	memset(o, 0, sizeof(*o));
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
		r = perr_set(err, -EINVAL, "%s: not usable as an output directory", final);
		goto out;
	}
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = perr_set(err, -ENOENT, "%s: parent directory %s does not exist", final, parent);
		goto out;
	}
	if (lstat(o->final, &st) == 0 && !S_ISDIR(st.st_mode)) {
		r = perr_set(err, -ENOTDIR, "%s: exists and is not a directory", final);
		goto out;
	}
	sweep_stale(parent, name);
	r = mkdtemp_pid(parent, name, &o->tmp, err);
out:
	free(a);
	free(b);
	if (r < 0) {
		free(o->final);
		o->final = NULL;
	}
	return r;
}

int outdir_commit(struct outdir *o, struct perr *err)
{
	struct stat st;
	if (lstat(o->final, &st) == 0) {
		if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) < 0)
			return perr_set(err, -errno, "replacing %s: %s", o->final, strerror(errno));
		/* o->tmp now names the previous output */
		rm_rf_quiet(o->tmp);
	} else if (rename(o->tmp, o->final) < 0) {
		return perr_set(err, -errno, "%s: %s", o->final, strerror(errno));
	}
	free(o->tmp);
	free(o->final);
	o->tmp = o->final = NULL;
	return 0;
}

void outdir_abort(struct outdir *o)
{
	if (o->tmp)
		rm_rf_quiet(o->tmp);
	free(o->tmp);
	free(o->final);
	o->tmp = o->final = NULL;
}
