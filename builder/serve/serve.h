/* serve: `paddock serve` as functions.  serve_setup checks everything
 * (preflight.h) and prepares the state without starting anything;
 * serve_run starts dnsmasq and the HTTP server and runs until SIGINT or
 * SIGTERM (or dnsmasq dies); serve_status prints the table a running (or
 * finished) server left in OUT/serve/status.json. */
#ifndef PADDOCK_SERVE_H
#define PADDOCK_SERVE_H

#include <stdbool.h>
#include <stdio.h>

#include "perr.h"
#include "serve/serve_state.h"

struct serve_opts {
	const char *out, *iface;
	bool dhcp, once, json;
	int port;
};

#define SERVE_STATUS_REL "serve/status.json"

int serve_setup(const struct serve_opts *o, struct serve_state *s, struct perr *err);
int serve_run(struct serve_state *s, struct perr *err);
void serve_state_free(struct serve_state *s);
int serve_status(const char *out, FILE *f, struct perr *err);

#endif
