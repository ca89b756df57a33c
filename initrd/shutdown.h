/* shutdown: PID 1's way down: stop the services and System Docker, kill
 * what is left, unmount, then power off or reboot as in->shutdown says. */
#ifndef PADDOCK_INIT_SHUTDOWN_H
#define PADDOCK_INIT_SHUTDOWN_H

#include "pid1.h"

void shutdown_now(struct init *in) __attribute__((noreturn));

#endif
