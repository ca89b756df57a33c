/* control: init's unix socket for paddockctl.
 *
 * A client connects, writes one request line and reads the answer until
 * EOF.  Requests: "status", "logs NAME LINES", "poweroff", "reboot".
 * The status answer is one record per line, fields separated by tabs:
 *   stage<TAB>NAME<TAB>ok|FAILED<TAB>SECONDS[<TAB>WHY]
 *   service<TAB>NAME<TAB>STATE<TAB>RESTARTS<TAB>PID<TAB>SINCE_SECONDS
 *   container<TAB>NAME<TAB>DOCKER_STATUS
 * "logs" answers the container's output as is.  Other answers: "ok" or
 * "error<TAB>WHY".  paddockctl needs nothing but this socket, so it is a
 * small static binary that fits any service image. */
#ifndef PADDOCK_INIT_CONTROL_H
#define PADDOCK_INIT_CONTROL_H

#include "perr.h"

#define CONTROL_SOCK "/run/paddock/init.sock"

enum control_req { CONTROL_NONE, CONTROL_STATUS, CONTROL_LOGS, CONTROL_POWEROFF, CONTROL_REBOOT };

/* Listening socket (mode 0600), close-on-exec, non-blocking. */
int control_listen(const char *path, struct perr *err);

/* Accepts one client and reads its request; *ret_fd is the open client
 * (the caller answers and closes it) or -1.  For CONTROL_LOGS, *ret_name
 * (heap) and *ret_lines are set. */
enum control_req control_accept(int lfd, int *ret_fd, char **ret_name, unsigned *ret_lines);

/* Writes the whole answer; errors (a client gone) are ignored. */
void control_reply(int fd, const char *text, size_t len);

/* Builds the status answer from the stage record and the supervisor. */
char *control_status_text(size_t *ret_len);

#endif
