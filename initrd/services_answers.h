/* services_answers: paddock-services' answers on SERVICES_SOCK (control.h):
 * "status" (its stages, its supervised entries and each container's state
 * as System Docker says) and "logs NAME LINES" (LINES 0: all), streamed
 * from System Docker to the client as it comes, so an answer holds no
 * more than a buffer of the log however long the log is.  Both ask System Docker,
 * which may be slow, so each is answered by a child of its own with
 * ANSWER_SECS to finish: the loop that supervises never waits. */
#ifndef PADDOCK_INIT_SERVICES_ANSWERS_H
#define PADDOCK_INIT_SERVICES_ANSWERS_H

#include <stdbool.h>
#include <sys/types.h>

#include "control.h"
#include "services.h"

#define ANSWER_SECS 30

struct answers {
	const struct osvc *svcs;
	size_t nsvcs;
	const char *docker_sock;          /* NULL: SYSTEM_DOCKER_SOCK */
	pid_t pid[CONTROL_MAX_CLIENTS];   /* children answering, 0: none */
};

/* A control_fn; arg is a struct answers. */
void answers_request(void *arg, struct control_client *c, enum control_req req, const char *name,
		     unsigned lines);

/* Whether pid was one of the answering children (now reaped). */
bool answers_reaped(struct answers *a, pid_t pid);

#endif
