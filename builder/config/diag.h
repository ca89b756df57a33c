/* diag: warnings collected while reading input, printed by main. */
#ifndef PADDOCK_DIAG_H
#define PADDOCK_DIAG_H

#include <stddef.h>

struct diag {
	char *file;
	int line, col;     /* 0 when unknown */
	char *msg;         /* "key.path: message" */
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
};

/* Adds a warning; allocation failures are ignored (a lost warning is not
 * worth failing a build over). */
void diag_add(struct diag_list *l, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

void diag_free(struct diag_list *l);

#endif
