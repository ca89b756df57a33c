#include "modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

struct names {
	char **v;
	size_t n, cap;
};

static int names_add(struct names *l, const char *s, size_t len)
{
	char *c, **g;

	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && !memcmp(l->v[i], s, len))
			return 0;
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		g = realloc(l->v, cap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		l->v = g;
		l->cap = cap;
	}
	c = strndup(s, len);
	if (!c)
		return -ENOMEM;
	l->v[l->n++] = c;
	l->v[l->n] = NULL;
	return 0;
}

void modules_free_list(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* modprobe -a -q -b NAME...: one exec for the whole list. */
static int modprobe_all(struct names *l, struct perr *err)
{
	char **argv;
	int r;

	if (!l->n)
		return 0;
	argv = calloc(l->n + 4, sizeof(*argv));
	if (!argv)
		return perr_set(err, -ENOMEM, "out of memory");
	argv[0] = MODPROBE;
	argv[1] = "-a";
	argv[2] = "-q";
	memcpy(argv + 3, l->v, l->n * sizeof(*argv));
	r = run_wait(argv, 60, err);
	free(argv);
	return r;
}

int modules_load_list(const char *listfile, size_t *ret_n, struct perr *err)
{
	struct names l = { 0 };
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
		if (names_add(&l, s, strlen(s)) < 0) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
	}
	free(line);
	fclose(f);
	if (r == 0)
		r = modprobe_all(&l, err);
	*ret_n = l.n;
	if (l.v)
		modules_free_list(l.v);
	return r;
}

static int walk(int dfd, struct names *l, int depth)
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
		if (n > 0 && (size_t)n < sizeof(buf) - 1 && (r = names_add(l, buf, (size_t)n)) < 0)
			return r;
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
	struct names l = { 0 };
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", root, strerror(errno));
	r = walk(fd, &l, 0);
	close(fd);
	if (r < 0) {
		modules_free_list(l.v);
		return perr_set(err, r, "collecting modaliases: out of memory");
	}
	if (!l.v && !(l.v = calloc(1, sizeof(char *))))
		return perr_set(err, -ENOMEM, "out of memory");
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

int modules_match(const char *alias_file, char *const *aliases, char ***ret, size_t *ret_n,
		  struct perr *err)
{
	struct names mods = { 0 };
	FILE *f = fopen(alias_file, "re");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return perr_set(err, -errno, "%s: %s", alias_file, strerror(errno));
	while (r == 0 && getline(&line, &cap, f) > 0) {
		char *pat, *mod, *save = NULL;
		if (strncmp(line, "alias ", 6))
			continue;
		pat = strtok_r(line + 6, " \t\n", &save);
		mod = pat ? strtok_r(NULL, " \t\n", &save) : NULL;
		if (!mod)
			continue;
		for (char *const *a = aliases; *a; a++)
			if (!fnmatch(pat, *a, 0)) {
				r = names_add(&mods, mod, strlen(mod));
				break;
			}
	}
	free(line);
	fclose(f);
	if (r == 0 && !mods.v && !(mods.v = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		modules_free_list(mods.v);
		return perr_set(err, r, "matching modaliases: out of memory");
	}
	*ret = mods.v;
	*ret_n = mods.n;
	return 0;
}

int modules_coldplug(const char *sysfs_root, const char *alias_file, size_t *ret_n, struct perr *err)
{
	struct names mods = { 0 };
	char **aliases = NULL;
	size_t na;
	int r;

	*ret_n = 0;
	if ((r = modules_collect_aliases(sysfs_root, &aliases, &na, err)) < 0)
		return r;
	r = modules_match(alias_file, aliases, &mods.v, &mods.n, err);
	modules_free_list(aliases);
	if (r < 0)
		return r;
	*ret_n = mods.n;
	r = modprobe_all(&mods, err);
	modules_free_list(mods.v);
	return r;
}
