/* health: whether a service answers, for "service X running" (svcconf.h's
 * health key).  A TCP check connects to 127.0.0.1:PORT and, when the spec
 * names a banner, reads that many bytes and compares: sshd sends
 * "SSH-2.0-..." as soon as it accepts a connection. */
#ifndef PADDOCK_INIT_HEALTH_H
#define PADDOCK_INIT_HEALTH_H

#include "nodecfg.h"
#include "perr.h"

/* One try against host:port within timeout_s: 0 when it connects and
 * the first bytes are banner ("" : the connection is enough); else a
 * negative code and *err says what it got. */
int health_tcp_try(const char *host, unsigned port, const char *banner, double timeout_s, struct perr *err);

/* One try of spec ("tcp PORT [BANNER]"), PORT a number or a key of cfg. */
int health_check(const char *spec, const struct nodecfg *cfg, double timeout_s, struct perr *err);

#endif
