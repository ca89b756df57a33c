/* dnsmasq_child: Debian's dnsmasq (package dnsmasq-base) run as paddock
 * serve's child, in the foreground, on a generated configuration, its log
 * on a pipe the server reads. */
#ifndef PADDOCK_SERVE_DNSMASQ_CHILD_H
#define PADDOCK_SERVE_DNSMASQ_CHILD_H

#include <sys/types.h>

#include "perr.h"

#define DNSMASQ_PATH "/usr/sbin/dnsmasq"

struct dnsmasq_child {
	pid_t pid;
	int log_fd;     /* its stdout and stderr, non-blocking */
};

/* Starts `dnsmasq --keep-in-foreground --conf-file=conf --pid-file=`
 * ($PADDOCK_DNSMASQ overrides the program, for tests). */
int dnsmasq_start(const char *conf, struct dnsmasq_child *c, struct perr *err);
/* Stops it (SIGTERM, then SIGKILL after 5 s) and reaps it; its wait status. */
int dnsmasq_stop(struct dnsmasq_child *c);
/* Runs `dnsmasq --test --conf-file=conf`: 0 when dnsmasq accepts it. */
int dnsmasq_check_conf(const char *conf, struct perr *err);

#endif
