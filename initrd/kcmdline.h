/* kcmdline: values of the kernel command line (/proc/cmdline), such as
 * paddock.node=NAME or paddock.report=URL.  libc alone: PID 1 uses it. */
#ifndef PADDOCK_INIT_KCMDLINE_H
#define PADDOCK_INIT_KCMDLINE_H

#define KCMDLINE_PATH "/proc/cmdline"

/* The value of KEY=VALUE in line (heap), "" for a bare KEY, NULL when
 * absent (or out of memory); the last one counts, as the kernel's own
 * parameters do.  Words are split at blanks; no quoting. */
char *kcmdline_value(const char *line, const char *key);
/* The same from the file at path (KCMDLINE_PATH on the node). */
char *kcmdline_get_from(const char *path, const char *key);
static inline char *kcmdline_get(const char *key)
{
	return kcmdline_get_from(KCMDLINE_PATH, key);
}

#endif
