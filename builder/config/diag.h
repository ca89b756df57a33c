/* diag: warnings collected while reading input, and notes that go with an
 * error (more places with the same fault, a hint at what the file is);
 * main prints the warnings, then the error, then its notes. */
#ifndef PADDOCK_DIAG_H
#define PADDOCK_DIAG_H

#include <stddef.h>

enum diag_kind { DIAG_WARNING, DIAG_NOTE };

struct diag {
	char *file;
	int line, col;     /* 0 when unknown */
	char *msg;         /* "key.path: message" */
	enum diag_kind kind;
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
};

/* Adds a warning; allocation failures are ignored (a lost warning is not
 * worth failing a build over). */
void diag_add(struct diag_list *l, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Adds a note to the error being reported, likewise. */
void diag_note(struct diag_list *l, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Puts the list in line order, stably; messages about the whole file (line
 * 0) go last. */
void diag_sort(struct diag_list *l);

void diag_free(struct diag_list *l);

#endif
