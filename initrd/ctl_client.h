/* ctl_client: paddockctl's side of the control sockets (control.h): one
 * request line, then the answer until EOF. */
#ifndef PADDOCK_INIT_CTL_CLIENT_H
#define PADDOCK_INIT_CTL_CLIENT_H

#include <stddef.h>

#include "perr.h"

/* The bound on a whole answer read into memory (a status). */
#define CTL_ANSWER_MAX (1u << 20)

/* The answer of the server at sock to req, whole, in a new string. */
int ctl_ask(const char *sock, const char *req, char **ret, struct perr *err);

/* The answer of the server at sock to req, written to out_fd as it comes
 * (a log of any length, in a buffer's worth of memory).  An answer that
 * is "error<TAB>WHY" is not written: it is the error. */
int ctl_ask_to(const char *sock, const char *req, int out_fd, struct perr *err);

#endif
