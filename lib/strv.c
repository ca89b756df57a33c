/* strv: a growable vector of owned strings (strv.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

void strv_add_owned(struct strv *s, char *str)
{
	if (s->oom || !str) {
		free(str);
		s->oom = true;
		return;
	}
	if (s->n + 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		char **p = realloc(s->v, nc * sizeof(*p));
		if (!p) {
			free(str);
			s->oom = true;
			return;
		}
		s->v = p;
		s->cap = nc;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

void strv_add(struct strv *s, const char *str)
{
	if (!s->oom)
		strv_add_owned(s, strdup(str));
}

void strv_addf(struct strv *s, const char *fmt, ...)
{
	va_list ap;
	char *str;
	if (s->oom)
		return;
	va_start(ap, fmt);
	if (vasprintf(&str, fmt, ap) < 0)
		str = NULL;
	va_end(ap);
	strv_add_owned(s, str);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(struct strv *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
}

bool strv_contains(const struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return true;
	return false;
}

char **strv_steal(struct strv *s)
{
	char **v;
	if (s->oom) {
		strv_clear(s);
		return NULL;
	}
	v = s->v ? s->v : calloc(1, sizeof(*v));
	*s = (struct strv)STRV_INIT;
	return v;
}

void strv_clear(struct strv *s)
{
	strv_free(s->v);
	*s = (struct strv)STRV_INIT;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}
