/* base_prune: old bases out of the cache. */
#include "image/base_prune.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fsutil.h"
#include "strv.h"

void base_mark_used(const char *bases, const char *key)
{
	char *p = path_join(bases, key);
	if (p)
		utimensat(AT_FDCWD, p, NULL, 0); /* a read-only cache is used as it is */
	free(p);
}

/* Bytes in the files of the (flat) directory p. */
static unsigned long long dir_bytes(const char *p)
{
	DIR *d = opendir(p);
	unsigned long long n = 0;
	struct stat st;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			n += (unsigned long long)st.st_size;
	closedir(d);
	return n;
}

struct entry {
	char *name;
	long long used;
};

static int newest_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->used < y->used ? 1 : x->used > y->used ? -1 : strcmp(x->name, y->name);
}

size_t base_prune(const char *bases, const char *keep, unsigned long long *freed)
{
	DIR *d = opendir(bases);
	struct entry *v = NULL;
	size_t n = 0, cap = 0, removed = 0;
	struct stat st;
	*freed = 0;
	if (!d)
		return 0;
	/* bases are named by content (a hash); temporaries start with '.' */
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, keep) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			struct entry *g = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));
			if (!g)
				break;
			v = g;
		}
		if (!(v[n].name = strdup(e->d_name)))
			break;
		v[n++].used = (long long)st.st_mtime;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), newest_first);
	long long now = (long long)time(NULL);
	/* v[0]: the one used last before keep */
	for (size_t i = 1; i < n; i++) {
		char *p = now - v[i].used >= BASE_PRUNE_IDLE_SECONDS ? path_join(bases, v[i].name) : NULL;
		unsigned long long bytes = p ? dir_bytes(p) : 0;
		struct perr e = PERR_INIT;
		if (p && rm_rf(p, &e) == 0) {
			removed++;
			*freed += bytes;
		}
		perr_clear(&e);
		free(p);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return removed;
}
