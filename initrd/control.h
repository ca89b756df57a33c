/* control: the unix sockets paddockctl talks to, served without blocking.
 *
 * A client connects, writes one request line and reads the answer until
 * EOF.  Requests: "status", "logs NAME LINES", "poweroff", "reboot".
 * init's socket (CONTROL_SOCK) answers status, poweroff and reboot;
 * paddock-services' socket (SERVICES_SOCK in servicesd.h) answers status
 * and logs.  A status answer is one record per line, fields separated by
 * tabs:
 *   stage<TAB>NAME<TAB>ok|FAILED<TAB>SECONDS[<TAB>WHY]
 *   service<TAB>NAME<TAB>STATE<TAB>RESTARTS<TAB>PID<TAB>SINCE_SECONDS
 *   container<TAB>NAME<TAB>DOCKER_STATUS         (paddock-services only)
 * "logs" answers the container's output as is.  Other answers: "ok" or
 * "error<TAB>WHY".  paddockctl needs nothing but these sockets, so it is a
 * small static binary that fits any service image.
 *
 * The server never waits for a client: sockets are non-blocking, a client
 * gets CONTROL_DEADLINE seconds from its connection to send its request and
 * take the answer, then it is dropped.  A client that connects and sends
 * nothing, or trickles bytes, costs a slot and nothing else. */
#ifndef PADDOCK_INIT_CONTROL_H
#define PADDOCK_INIT_CONTROL_H

#include <poll.h>
#include <stddef.h>

#include "perr.h"

#define CONTROL_SOCK "/run/paddock/init.sock"
#define CONTROL_MAX_CLIENTS 8
#define CONTROL_DEADLINE 3.0
#define CONTROL_MAX_REQUEST 64

enum control_req { CONTROL_NONE, CONTROL_STATUS, CONTROL_LOGS, CONTROL_POWEROFF, CONTROL_REBOOT };

struct control_client {
	int fd;                 /* -1: a free slot */
	double deadline;
	char in[CONTROL_MAX_REQUEST];
	size_t inlen;
	char *out;              /* the answer being written, or NULL while reading */
	size_t outlen, outoff;
};

struct control {
	int lfd;
	double secs;            /* each client's time from accept (CONTROL_DEADLINE) */
	struct control_client c[CONTROL_MAX_CLIENTS];
};

/* Called once per complete request; answers with control_answer() or takes
 * the connection with control_take().  A request it does neither for is
 * answered "error<TAB>unknown request". */
typedef void (*control_fn)(void *arg, struct control_client *c, enum control_req req,
			   const char *name, unsigned lines);

/* Parses one request line (no newline).  For CONTROL_LOGS *ret_name (heap)
 * and *ret_lines are set.  CONTROL_NONE: not a request. */
enum control_req control_parse(const char *line, char **ret_name, unsigned *ret_lines);

/* Listens on path (mode 0600, close-on-exec, non-blocking). */
int control_listen(struct control *ctl, const char *path, struct perr *err);
/* Drops every client and the listener. */
void control_close(struct control *ctl);

/* The fds to poll (the listener, then each client for what it waits
 * for); returns how many were written to p (at most max). */
size_t control_pollfds(const struct control *ctl, struct pollfd *p, size_t max);

/* Accepts, reads, answers and writes as far as it can without blocking,
 * and drops clients past their deadline. */
void control_serve(struct control *ctl, double now, control_fn fn, void *arg);

/* The earliest client deadline, or 0 when no client is connected. */
double control_next_deadline(const struct control *ctl);

/* Queues the answer (copied); it is written as the client reads it. */
void control_answer(struct control_client *c, const char *text, size_t len);

/* Hands the client's connection to the caller (blocking again, close-on-
 * exec) and frees its slot; the caller answers and closes it. */
int control_take(struct control_client *c);

/* Writes all of text to a taken connection; a client gone is no error. */
void control_write_all(int fd, const char *text, size_t len);

#endif
