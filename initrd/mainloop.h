/* mainloop: PID 1's one loop.  Each pass waits in a single poll(2) for a
 * signal (signalfd), a control client, a power button or the next deadline
 * (a restart, a client's time, System Docker's start), then handles all of
 * them without blocking: reaping, the phase of the boot, answers, and the
 * request to go down.  The shutdown itself is shutdown.h's. */
#ifndef PADDOCK_INIT_MAINLOOP_H
#define PADDOCK_INIT_MAINLOOP_H

#include "pid1.h"

/* What a signal asks of PID 1, as busybox init reads them: SIGTERM
 * reboot, SIGUSR2 power off, SIGUSR1 halt; SIGINT (Ctrl-Alt-Del) reboot,
 * SIGPWR power off.  0 for the others (SIGHUP, SIGCHLD). */
int pid1_signal_request(int signo);

/* Blocks the signals PID 1 handles and returns a signalfd that reads them. */
int pid1_signalfd(struct perr *err);

/* One pass of the loop, waiting at most max_ms.  Sets in->shutdown when a
 * signal, a power button or a client asks for it. */
void pid1_step(struct init *in, int max_ms);

/* Passes until a shutdown is asked for, then runs it; never returns. */
void pid1_run(struct init *in) __attribute__((noreturn));

#endif
