/* diag: warnings and notes (diag.h). */
#include "config/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void diag_vadd(struct diag_list *l, enum diag_kind kind, const char *file, int line, int col,
		      const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (!l)
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		struct diag *p = realloc(l->v, nc * sizeof(*p));
		if (!p)
			return;
		l->v = p;
		l->cap = nc;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	l->v[l->n++] = (struct diag){ file ? strdup(file) : NULL, line, col, msg, kind };
}

void diag_add(struct diag_list *l, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(l, DIAG_WARNING, file, line, col, fmt, ap);
	va_end(ap);
}

void diag_note(struct diag_list *l, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(l, DIAG_NOTE, file, line, col, fmt, ap);
	va_end(ap);
}

static long rank(const struct diag *d)
{
	return d->line > 0 ? (long)d->line : 0x7fffffffL;
}

struct order {
	long rank;
	size_t i;
};

static int by_rank(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;   /* stable */
}

void diag_sort(struct diag_list *l)
{
	if (!l || l->n < 2)
		return;
	struct order *o = malloc(l->n * sizeof(*o));
	struct diag *v = malloc(l->n * sizeof(*v));
	if (o && v) {   /* else left as it is */
		for (size_t i = 0; i < l->n; i++)
			o[i] = (struct order){ rank(&l->v[i]), i };
		qsort(o, l->n, sizeof(*o), by_rank);
		for (size_t i = 0; i < l->n; i++)
			v[i] = l->v[o[i].i];
		memcpy(l->v, v, l->n * sizeof(*v));
	}
	free(o);
	free(v);
}

void diag_free(struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].msg);
	}
	free(l->v);
	*l = (struct diag_list){ 0 };
}
