/* requests: PID 1's answers on its control socket (control.h): status
 * (its stages and supervised processes), poweroff and reboot (which set
 * in->shutdown for the main loop).  Everything is in memory: an answer
 * never waits on anything. */
#ifndef PADDOCK_INIT_REQUESTS_H
#define PADDOCK_INIT_REQUESTS_H

#include "pid1.h"

/* A control_fn; arg is the struct init. */
void requests_answer(void *arg, struct control_client *c, enum control_req req, const char *name,
		     unsigned lines);

#endif
