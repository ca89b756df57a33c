/* shutdown: PID 1's way down, in the order that loses nothing:
 * supervised processes stopped one by one, the last started first, each
 * waited for within its stop_secs; then SIGTERM to every process, a
 * bounded wait, SIGKILL, a bounded wait; sync; unmount in reverse mount
 * order; then reboot, power off or halt as in->shutdown says.  If that
 * fails PID 1 says so and tries again: it never exits (that would panic
 * the kernel). */
#ifndef PADDOCK_INIT_SHUTDOWN_H
#define PADDOCK_INIT_SHUTDOWN_H

#include "pid1.h"

#define SHUTDOWN_TERM_SECS 5.0
#define SHUTDOWN_KILL_SECS 5.0
#define SHUTDOWN_RETRY_SECS 5.0

/* The machine itself: kill(-1), mounts_unmount_all, sync, reboot. */
extern const struct pid1_sys pid1_sys_real;

/* "reboot", "power off" or "halt". */
const char *shutdown_name(int how);

/* The whole way down.  On a machine it does not return; it returns only
 * when in->sys->reboot is a stand-in that returned 0. */
void shutdown_run(struct init *in);

/* sys->reboot(how) until it does not fail, saying on the console when it
 * does and waiting retry_secs between attempts. */
void shutdown_reboot(const struct pid1_sys *sys, int how, double retry_secs);

#endif
