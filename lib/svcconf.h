/* svcconf: one os-service as baked into a node, /etc/paddock/services/NN-NAME.conf.
 *
 * The builder validates the os-services/ YAML files and writes, for every service a
 * node gets, one file in the nodecfg format (lib/nodecfg.h); NN orders
 * them so that dependencies come first.  Keys:
 *   name          container name, [a-z0-9][a-z0-9_.-]*
 *   image         image reference, bundled in /usr/share/paddock/images
 *   command       one line per argument (Cmd)
 *   entrypoint    one line per argument (Entrypoint)
 *   user          "uid[:gid]" or a name in the image
 *   privileged    "true" | "false"
 *   net           "host" (default) | "none" | "bridge"
 *   pid           "host" | "private" (default)
 *   ipc           "host" | "private" (default)
 *   volume        one line per bind, "SRC:DST[:ro]"
 *   env           one line per variable, "K=V"
 *   restart       "always" (default) | "on-failure" | "no"
 *   depends_on    one line per service that must be running first
 *   health        "tcp PORT [BANNER]": the service is running once a TCP
 *                 connection to 127.0.0.1:PORT gets BANNER as its first
 *                 bytes (just the connection without one); PORT is a
 *                 number or a key of node.conf that holds one ("tcp
 *                 node.ssh_port SSH-").  Without it, running = started.
 * init turns it into a Docker Engine API create request. */
#ifndef PADDOCK_SVCCONF_H
#define PADDOCK_SVCCONF_H

#include <stdbool.h>

#include "nodecfg.h"
#include "perr.h"

#define SVCCONF_DIR "/etc/paddock/services"

enum svc_restart { SVC_RESTART_ALWAYS, SVC_RESTART_ON_FAILURE, SVC_RESTART_NO };

struct svcconf {
	char *name, *image, *user, *net, *pid, *ipc;
	char *health;           /* "" when none */
	char **command, **entrypoint, **volumes, **env, **depends_on; /* NULL-terminated, never NULL */
	bool privileged;
	enum svc_restart restart;
};

/* From parsed key=value pairs; name (a file name) is for messages. */
int svcconf_from_nodecfg(const char *name, const struct nodecfg *c, struct svcconf *out,
			 struct perr *err);
int svcconf_load(const char *path, struct svcconf *out, struct perr *err);

/* The body of POST /containers/create for this service; NULL on ENOMEM. */
char *svcconf_create_json(const struct svcconf *s);

/* Serializes back to key=value pairs (the builder writes these). */
int svcconf_to_nodecfg(const struct svcconf *s, struct nodecfg *out);

/* A health spec read: a port number, or the node.conf key holding one. */
struct svc_health {
	unsigned port;          /* 0: port_key names it */
	char *port_key;
	char *banner;           /* "" when the connection alone passes */
};

/* Parses a health spec (see above); frees with svc_health_free. */
int svc_health_parse(const char *spec, struct svc_health *ret, struct perr *err);
void svc_health_free(struct svc_health *h);

const char *svc_restart_name(enum svc_restart r);
/* -EINVAL for an unknown word. */
int svc_restart_parse(const char *s, enum svc_restart *out);

void svcconf_free(struct svcconf *s);

#endif
