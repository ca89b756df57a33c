/* runtool: runs an external tool (xorriso, grub-mkimage, mtools) as a
 * child process, argv only, no shell. */
#ifndef PADDOCK_RUNTOOL_H
#define PADDOCK_RUNTOOL_H

#include "perr.h"

/* Runs argv[0] (looked up in PATH) with SOURCE_DATE_EPOCH=sde (when
 * sde >= 0) added to the environment, stdin and stdout on /dev/null.
 * On a non-zero exit *err holds the command name, the status and the last
 * lines the tool wrote to stderr. */
int run_tool(char *const argv[], long long sde, struct perr *err);
/* run_tool in the directory cwd (for tools that write there). */
int run_tool_in(const char *cwd, char *const argv[], long long sde, struct perr *err);

/* The full path of a program found in PATH, or NULL. */
char *find_program(const char *name);

#endif
