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

void diag_free(struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].msg);
	}
	free(l->v);
	*l = (struct diag_list){ 0 };
}
