/* listfile: the line-oriented configs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "components/listfile.h"

/* max as a person says it: "64 KiB", "1 MiB"; bytes when not round. */
static const char *size_words(size_t max, char buf[32])
{
	if (max >= (1u << 20) && max % (1u << 20) == 0)
		snprintf(buf, 32, "%zu MiB", max >> 20);
	else if (max >= 1024 && max % 1024 == 0)
		snprintf(buf, 32, "%zu KiB", max >> 10);
	else
		snprintf(buf, 32, "%zu bytes", max);
	return buf;
}

int read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct perr *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	struct stat st;
	char words[32];
	int r = fstat(fd, &st) < 0 ? perr_set(err, -errno, "%s: %s", path, strerror(errno))
		: !S_ISREG(st.st_mode) ? perr_set(err, -EINVAL, "%s: not a regular file", path)
		: (size_t)st.st_size > max ? perr_set(err, -EFBIG, "%s: larger than %s", path, size_words(max, words))
		: 0;
	if (r < 0) {
		close(fd);
		return r;
	}
	size_t len = (size_t)st.st_size, got = 0;
	char *buf = malloc(len + 1);
	if (!buf) {
		close(fd);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(buf);
			close(fd);
			return perr_set(err, -e, "%s: %s", path, n < 0 ? strerror(e) : "file shrank");
		}
		got += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int add_line(struct listfile *l, int lineno, char *s, size_t *cap)
{
	struct listline ln = { .lineno = lineno };
	size_t tcap = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (ln.ntok == tcap) {
			size_t nc = tcap ? 2 * tcap : 8;
			char **nt = realloc(ln.tok, nc * sizeof(*nt));
			if (!nt)
				goto oom;
			ln.tok = nt;
			tcap = nc;
		}
		if (!(ln.tok[ln.ntok] = strdup(t)))
			goto oom;
		ln.ntok++;
	}
	if (!ln.ntok)
		return 0;
	if (l->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 32;
		struct listline *nl = realloc(l->lines, nc * sizeof(*nl));
		if (!nl)
			goto oom;
		l->lines = nl;
		*cap = nc;
	}
	l->lines[l->n++] = ln;
	return 0;
oom:
	for (size_t i = 0; i < ln.ntok; i++)
		free(ln.tok[i]);
	free(ln.tok);
	return -ENOMEM;
}

int listfile_parse(const char *name, const char *buf, size_t len, struct listfile *out,
		   struct perr *err)
{
	struct listfile l = { 0 };
	size_t cap = 0;
	int lineno = 0;
	if (!(l.path = strdup(name)) || !(l.text = malloc(len + 1)))
		goto oom;
	memcpy(l.text, buf, len);
	l.text[len] = 0;
	l.textlen = len;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && buf[j] != '\n')
			j++;
		lineno++;
		if (memchr(buf + i, 0, j - i)) {
			listfile_free(&l);
			return perr_setat(err, -EINVAL, name, lineno, 0, "NUL byte in line");
		}
		char *s = strndup(buf + i, j - i);
		if (!s)
			goto oom;
		char *p = s;
		while (*p == ' ' || *p == '\t')
			p++;
		int r = (*p == '#' || !*p) ? 0 : add_line(&l, lineno, p, &cap);
		free(s);
		if (r < 0)
			goto oom;
		i = j + 1;
	}
	*out = l;
	return 0;
oom:
	listfile_free(&l);
	return perr_set(err, -ENOMEM, "out of memory");
}

int listfile_load(const char *path, struct listfile *out, struct perr *err)
{
	char *buf;
	size_t len;
	int r = read_file(path, 16u << 20, &buf, &len, err);
	if (r < 0)
		return r;
	r = listfile_parse(path, buf, len, out, err);
	free(buf);
	return r;
}

void listfile_free(struct listfile *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t k = 0; k < l->lines[i].ntok; k++)
			free(l->lines[i].tok[k]);
		free(l->lines[i].tok);
	}
	free(l->lines);
	free(l->path);
	free(l->text);
	memset(l, 0, sizeof(*l));
}
