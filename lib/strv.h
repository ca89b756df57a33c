/* strv: a growable vector of owned strings, always NULL-terminated.
 *
 * Adds remember an allocation failure (s->oom) and later adds do nothing,
 * so a caller building a list checks once at the end.  The one string
 * vector of the project: the builder, /init and paddockctl use it. */
#ifndef PADDOCK_STRV_H
#define PADDOCK_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct strv {
	char **v;       /* NULL-terminated once anything was added; else NULL */
	size_t n, cap;
	bool oom;
};

#define STRV_INIT { NULL, 0, 0, false }

/* Appends a copy of str. */
void strv_add(struct strv *s, const char *str);
/* Appends str itself (the vector owns it from now on, also on failure). */
void strv_add_owned(struct strv *s, char *str);
void strv_addf(struct strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sorts by strcmp. */
void strv_sort(struct strv *s);
bool strv_contains(const struct strv *s, const char *str);
/* Takes the NULL-terminated array out (an empty one when nothing was
 * added); NULL after an allocation failure, with the strings freed. */
char **strv_steal(struct strv *s);
/* Frees the strings and the array; s is empty again. */
void strv_clear(struct strv *s);
/* Frees a NULL-terminated array of strings (NULL is fine). */
void strv_free(char **v);

#endif
