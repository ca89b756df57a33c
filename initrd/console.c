#include "console.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report_queue.h"
#include "strbuf.h"

static struct stage_rec *stages;
static size_t nstages;

double boot_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One write(2) per line so lines from init's children never interleave. */
static void emit(const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void record(const char *stage, bool ok, double secs, char *why)
{
	struct stage_rec *r = NULL, *grown;

	for (size_t i = 0; i < nstages; i++)
		if (!strcmp(stages[i].name, stage))
			r = &stages[i];
	if (!r) {
		char *name = strdup(stage);
		grown = name ? realloc(stages, (nstages + 1) * sizeof(*stages)) : NULL;
		if (!grown) {
			free(name);
			free(why);
			return;
		}
		stages = grown;
		r = &stages[nstages++];
		r->name = name;
		r->why = NULL;
	}
	free(r->why);
	r->ok = ok;
	r->secs = secs;
	r->why = why;
}

void stage_ok(const char *stage)
{
	stage_ok_as(stage, NULL);
}

void stage_ok_as(const char *stage, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	double t = boot_seconds();

	if (text)
		sb_printf(&sb, "paddock: %s %.2f\n", text, t);
	else
		sb_printf(&sb, "paddock: %s ok %.2f\n", stage, t);
	if (sb.s)
		emit(sb.s, sb.len);
	sb_free(&sb);
	record(stage, true, t, NULL);
	report_console_stage(stage, true, NULL, t);
}

void stage_failed(const char *stage, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *why = NULL;
	double t = boot_seconds();
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	sb_printf(&sb, "paddock: %s FAILED: %s\n", stage, why ? why : "?");
	if (sb.s)
		emit(sb.s, sb.len);
	sb_free(&sb);
	report_console_stage(stage, false, why, t);
	record(stage, false, t, why);
}

void stage_recorded(const char *stage, double secs)
{
	record(stage, true, secs, NULL);
}

void console_line(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	sb_printf(&sb, "paddock: %s\n", text ? text : "?");
	if (sb.s)
		emit(sb.s, sb.len);
	sb_free(&sb);
	free(text);
}

const struct stage_rec *stage_list(size_t *n)
{
	*n = nstages;
	return stages;
}
