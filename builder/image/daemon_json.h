/* daemon_json: System Docker's /etc/paddock/system-docker.json, made at
 * build time.  System Docker listens on its unix socket only (no TCP),
 * keeps its own data and exec roots, uses overlay2, rotates json-file logs
 * and never live-restores (init restarts everything after a dockerd
 * crash).  System containers use the host network, so no bridge and no
 * iptables rules: that saves ~5 s of boot under TCG. */
#ifndef PADDOCK_DAEMON_JSON_H
#define PADDOCK_DAEMON_JSON_H

#include "perr.h"

struct daemon_opts {
	char *const *registry_mirrors;  /* NULL-terminated URLs, or NULL */
	const char *storage_driver;     /* NULL: overlay2 */
	const char *log_max_size;       /* NULL: 10m */
	int log_max_file;               /* 0: 3 */
};

/* A new heap string with the JSON document; mirrors must be http(s) URLs. */
int daemon_json_system(const struct daemon_opts *o, char **ret, struct perr *err);

#endif
