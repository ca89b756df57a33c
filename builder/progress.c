/* progress: stage lines handed to main. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "progress.h"

void progress_say(const struct progress *p, const char *fmt, ...)
{
	if (!p || !p->fn)
		return;
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		p->fn(p->ctx, s);
		free(s);
	}
}

double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *progress_size(unsigned long long b, char buf[16])
{
	if (b < 10240)
		snprintf(buf, 16, "%llu B", b);
	else if (b < 10ull << 20)
		snprintf(buf, 16, "%.1f KiB", (double)b / 1024);
	else
		snprintf(buf, 16, "%.1f MiB", (double)b / (1024 * 1024));
	return buf;
}
