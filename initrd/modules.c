#include "modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "strv.h"

/* Adds s unless it is there already; false when memory ran out. */
static bool add_once(struct strv *l, const char *s)
{
	if (!strv_contains(l, s))
		strv_add(l, s);
	return !l->oom;
}

/* modprobe -a -q -b NAME...: one exec for the whole list. */
static int modprobe_all(char *const *names, size_t n, struct perr *err)
{
	char **argv;
	int r;

	if (!n)
		return 0;
	argv = calloc(n + 4, sizeof(*argv));
	if (!argv)
		return perr_set(err, -ENOMEM, "out of memory");
	argv[0] = MODPROBE;
	argv[1] = "-a";
	argv[2] = "-q";
	memcpy(argv + 3, names, n * sizeof(*argv));
	r = run_wait(argv, 60, err);
	free(argv);
	return r;
}

int modules_load_list(const char *listfile, size_t *ret_n, struct perr *err)
{
	struct strv l = STRV_INIT;
	FILE *f = fopen(listfile, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = 0;

	*ret_n = 0;
	if (!f)
		return errno == ENOENT ? 0 : perr_set(err, -errno, "%s: %s", listfile, strerror(errno));
	while ((len = getline(&line, &cap, f)) > 0) {
		char *s = line;
		while (len && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t'))
			s[--len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (!add_once(&l, s)) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
	}
	free(line);
	fclose(f);
	if (r == 0)
		r = modprobe_all(l.v, l.n, err);
	*ret_n = l.n;
	strv_clear(&l);
	return r;
}

static int walk(int dfd, struct strv *l, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if (depth > 32)
		return 0;
	fd = openat(dfd, "modalias", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char buf[512];
		ssize_t n = read(fd, buf, sizeof(buf) - 1); /* the kernel caps modalias below a page */
		close(fd);
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
			n--;
		if (n > 0 && (size_t)n < sizeof(buf) - 1) {
			buf[n] = '\0';
			if (!add_once(l, buf))
				return -ENOMEM;
		}
	}
	fd = dup(dfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (r == 0 && (de = readdir(d))) {
		int sub;
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue; /* symlinks (subsystem, driver, ...) are not followed */
		sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		r = walk(sub, l, depth + 1);
		close(sub);
	}
	closedir(d);
	return r;
}

int modules_collect_aliases(const char *root, char ***ret, size_t *ret_n, struct perr *err)
{
	struct strv l = STRV_INIT;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", root, strerror(errno));
	r = walk(fd, &l, 0);
	close(fd);
	*ret_n = l.n;
	if (r < 0 || !(*ret = strv_steal(&l))) {
		strv_clear(&l);
		return perr_set(err, -ENOMEM, "collecting modaliases: out of memory");
	}
	return 0;
}

int modules_match(const char *alias_file, char *const *aliases, char ***ret, size_t *ret_n,
		  struct perr *err)
{
	struct strv mods = STRV_INIT;
	FILE *f = fopen(alias_file, "re");
	char *line = NULL;
	size_t cap = 0;
	bool ok = true;

	if (!f)
		return perr_set(err, -errno, "%s: %s", alias_file, strerror(errno));
	while (ok && getline(&line, &cap, f) > 0) {
		char *pat, *mod, *save = NULL;
		if (strncmp(line, "alias ", 6))
			continue;
		pat = strtok_r(line + 6, " \t\n", &save);
		mod = pat ? strtok_r(NULL, " \t\n", &save) : NULL;
		if (!mod)
			continue;
		for (char *const *a = aliases; *a; a++)
			if (!fnmatch(pat, *a, 0)) {
				ok = add_once(&mods, mod);
				break;
			}
	}
	free(line);
	fclose(f);
	*ret_n = mods.n;
	if (!ok || !(*ret = strv_steal(&mods))) {
		strv_clear(&mods);
		return perr_set(err, -ENOMEM, "matching modaliases: out of memory");
	}
	return 0;
}

int modules_coldplug(const char *sysfs_root, const char *alias_file, size_t *ret_n, struct perr *err)
{
	char **aliases = NULL, **mods = NULL;
	size_t na, nm;
	int r;

	*ret_n = 0;
	if ((r = modules_collect_aliases(sysfs_root, &aliases, &na, err)) < 0)
		return r;
	r = modules_match(alias_file, aliases, &mods, &nm, err);
	strv_free(aliases);
	if (r < 0)
		return r;
	*ret_n = nm;
	r = modprobe_all(mods, nm, err);
	strv_free(mods);
	return r;
}
