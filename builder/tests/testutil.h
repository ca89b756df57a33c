/* testutil: what several builder unit tests need — a scratch directory
 * per test run and a growable memory sink for libarchive writers. */
#ifndef PADDOCK_TESTUTIL_H
#define PADDOCK_TESTUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>

#include "fsutil.h"
#include "strbuf.h"

/* Creates the scratch directory from its "...XXXXXX" template, in place. */
static inline int scratch_make(char *dir)
{
	return mkdtemp(dir) ? 0 : -1;
}

/* Removes the scratch directory and all below it; failures are ignored. */
static inline void scratch_remove(const char *dir)
{
	rm_rf_quiet(dir);
}

/* Defines `dir`, the run's scratch directory /tmp/paddock-test-NAME.XXXXXX,
 * and the group setup and teardown that make and remove it. */
#define SCRATCH_GROUP(NAME)                                          \
	static char dir[] = "/tmp/paddock-test-" NAME ".XXXXXX";     \
	static int setup(void **state)                                \
	{                                                             \
		(void)state;                                          \
		return scratch_make(dir);                             \
	}                                                             \
	static int teardown(void **state)                             \
	{                                                             \
		(void)state;                                          \
		scratch_remove(dir);                                  \
		return 0;                                             \
	}

/* All a shell command (printf-style) prints on stdout (heap), or NULL
 * when it exits non-zero. */
static inline __attribute__((format(printf, 1, 2))) char *shell_output(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *cmd = NULL, buf[4096];
	size_t n;
	va_list ap;
	va_start(ap, fmt);
	int len = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	FILE *f = len < 0 ? NULL : popen(cmd, "r");
	free(len < 0 ? NULL : cmd);
	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	sb_add(&sb, "", 0);
	if (pclose(f) != 0) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

struct mem {
	char *buf;
	size_t len, cap;
};

/* libarchive write callback appending to a struct mem. */
static inline la_ssize_t mem_write(struct archive *a, void *d, const void *buf, size_t len)
{
	(void)a;
	struct mem *m = d;
	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		m->buf = realloc(m->buf, m->cap);
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return (la_ssize_t)len;
}

#endif
