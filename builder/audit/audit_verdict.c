/* audit_verdict: how a check says what it found. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit/audit_check.h"

/* the why column names the first problems; the count says the rest */
#define SHOWN_PROBLEMS 3

static void problem(struct audit_verdict *v, const char *prefix, const char *fmt, va_list ap)
{
	v->status = AUDIT_FAIL;
	if (v->nproblems++ >= SHOWN_PROBLEMS)
		return;
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0) {
		v->problems.err = -1;
		return;
	}
	if (v->problems.len)
		sb_adds(&v->problems, "; ");
	sb_adds(&v->problems, prefix);
	sb_adds(&v->problems, msg);
	free(msg);
}

void verdict_fail(struct audit_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem(v, "", fmt, ap);
	va_end(ap);
}

void verdict_missing(struct audit_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem(v, "missing: ", fmt, ap);
	va_end(ap);
}

static void set_note(struct audit_verdict *v, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(v->note);
	v->note = msg;
}

void verdict_skip(struct audit_verdict *v, const char *fmt, ...)
{
	va_list ap;
	if (v->status == AUDIT_PASS)
		v->status = AUDIT_SKIP;
	va_start(ap, fmt);
	set_note(v, fmt, ap);
	va_end(ap);
}

void verdict_note(struct audit_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_note(v, fmt, ap);
	va_end(ap);
}

char *verdict_why(const struct audit_verdict *v)
{
	char *s = NULL;
	int r;
	if (v->status != AUDIT_FAIL)
		r = asprintf(&s, "%s", v->note ? v->note : "");
	else if (v->nproblems > SHOWN_PROBLEMS)
		r = asprintf(&s, "%s; and %u more", v->problems.s ? v->problems.s : "",
			     v->nproblems - SHOWN_PROBLEMS);
	else
		r = asprintf(&s, "%s", v->problems.s ? v->problems.s : "");
	return r < 0 ? NULL : s;
}

void verdict_clear(struct audit_verdict *v)
{
	sb_free(&v->problems);
	free(v->note);
	*v = (struct audit_verdict){ 0 };
}
