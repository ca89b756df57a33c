/* testutil: what several builder unit tests need — a scratch directory
 * per test run and a growable memory sink for libarchive writers. */
#ifndef PADDOCK_TESTUTIL_H
#define PADDOCK_TESTUTIL_H

#include <stdlib.h>
#include <string.h>

#include <archive.h>

#include "fsutil.h"

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
