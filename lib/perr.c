#include "perr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

int perr_set(struct perr *e, int code, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return code;
	free(e->msg);
	va_start(ap, fmt);
	e->msg = vfmt(fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

int perr_setat(struct perr *e, int code, const char *file, int line, int col,
	       const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return code;
	free(e->msg);
	free(e->file);
	va_start(ap, fmt);
	e->msg = vfmt(fmt, ap);
	va_end(ap);
	e->file = file ? strdup(file) : NULL;
	e->line = line;
	e->col = col;
	e->code = code;
	return code;
}

int perr_wrap(struct perr *e, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *joined = NULL;
	if (!e)
		return -EINVAL;
	va_start(ap, fmt);
	ctx = vfmt(fmt, ap);
	va_end(ap);
	if (ctx && asprintf(&joined, "%s: %s", ctx, e->msg ? e->msg : "error") >= 0) {
		free(e->msg);
		e->msg = joined;
	}
	free(ctx);
	return e->code ? e->code : -EINVAL;
}

char *perr_format(const struct perr *e)
{
	char *s = NULL;
	const char *m = e->msg ? e->msg : "unknown error";
	int r;
	if (e->file && e->line > 0)
		r = asprintf(&s, "%s:%d:%d: %s", e->file, e->line, e->col > 0 ? e->col : 1, m);
	else if (e->file)
		r = asprintf(&s, "%s: %s", e->file, m);
	else
		r = asprintf(&s, "%s", m);
	return r < 0 ? NULL : s;
}

void perr_clear(struct perr *e)
{
	if (!e)
		return;
	free(e->msg);
	free(e->file);
	*e = (struct perr)PERR_INIT;
}
