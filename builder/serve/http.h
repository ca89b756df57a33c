/* http: paddock serve's HTTP server (libmicrohttpd, a thread per
 * connection, files sent with sendfile).  GET and HEAD of boot.ipxe, the
 * per-MAC scripts, the kernels, base.img, the loaders (UEFI HTTP boot
 * fetches snponly.efi) and nodes/<node>.img under the access rule
 * (access.h); POST /report for the nodes' stage reports (report.h).
 * Anything else is 404. */
#ifndef PADDOCK_SERVE_HTTP_H
#define PADDOCK_SERVE_HTTP_H

#include "perr.h"
#include "serve/serve_state.h"

struct MHD_Daemon;

/* Listens on s->addr.ip:s->port. */
int http_start(struct serve_state *s, struct MHD_Daemon **ret, struct perr *err);
void http_stop(struct MHD_Daemon *d);

#endif
