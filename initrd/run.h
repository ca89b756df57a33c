/* run: starting helper programs from init. */
#ifndef PADDOCK_INIT_RUN_H
#define PADDOCK_INIT_RUN_H

#include <sys/types.h>

#include "perr.h"

/* fork + exec argv with init's blocked signals restored and stdin on
 * /dev/null; returns the pid or a negative code. */
pid_t run_spawn(char *const argv[], struct perr *err);

/* Runs argv and waits at most timeout_s seconds (then SIGKILL).  0 when it
 * exited 0; otherwise *err says how it ended. */
int run_wait(char *const argv[], int timeout_s, struct perr *err);

/* run_wait with stdout and stderr on /dev/null: for a question whose "no"
 * is an error message (iptables -C). */
int run_wait_quiet(char *const argv[], int timeout_s, struct perr *err);

/* Waits at most timeout_s seconds for child pid (then SIGKILL); its wait
 * status in *ret_status.  name is for messages. */
int run_reap(pid_t pid, const char *name, int timeout_s, int *ret_status, struct perr *err);

/* In a freshly forked child of init: restores the default signal state. */
void run_child_reset(void);

#endif
