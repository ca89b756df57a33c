/* requests: PID 1's answers on the control socket (control.h): status with
 * the containers' states, a container's logs, power off and reboot (which
 * set in->shutdown for the main loop). */
#ifndef PADDOCK_INIT_REQUESTS_H
#define PADDOCK_INIT_REQUESTS_H

#include "pid1.h"

/* Answers every client waiting on in->cfd. */
void requests_answer(struct init *in);

#endif
