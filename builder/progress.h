/* progress: how library code reports stage progress without printing;
 * main's callback prints the lines (or not, with -q). */
#ifndef PADDOCK_PROGRESS_H
#define PADDOCK_PROGRESS_H

struct progress {
	void (*fn)(void *ctx, const char *line);
	void *ctx;
};

/* Formats one line and hands it to p->fn (nothing when p or fn is NULL). */
void progress_say(const struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Monotonic seconds, for stage timings. */
double progress_now(void);

/* "12.3 MiB" style size into buf (at least 16 bytes). */
const char *progress_size(unsigned long long bytes, char buf[16]);

#endif
