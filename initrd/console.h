/* console: the stage lines init prints, and the record paddockctl reads.
 *
 * Every line starts with "paddock: " so tests and people can grep the
 * serial console: "paddock: <stage> ok <seconds>" or
 * "paddock: <stage> FAILED: <why>".  Seconds count from power-on as the
 * kernel sees it (CLOCK_BOOTTIME).  A stage line also goes to the report
 * queue (report_queue.h), when the node reports its stages. */
#ifndef PADDOCK_INIT_CONSOLE_H
#define PADDOCK_INIT_CONSOLE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct stage_rec {
	char *name;
	bool ok;
	double secs;
	char *why;      /* NULL when ok */
};

double boot_seconds(void);

/* Sleeps s seconds whatever signal arrives. */
static inline void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void stage_ok(const char *stage);
/* Records stage as ok but prints "paddock: <text> <seconds>" instead. */
void stage_ok_as(const char *stage, const char *text);
void stage_failed(const char *stage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records an ok stage that was printed earlier (by the first init). */
void stage_recorded(const char *stage, double secs);
/* A free-form line ("paddock: <text>"). */
void console_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The stages recorded so far, latest result per name. */
const struct stage_rec *stage_list(size_t *n);

#endif
