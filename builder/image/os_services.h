/* os_services: the system services of os-services/ (YAML), validated and
 * baked per node.
 *
 * One file per service:
 *
 *   name: sshd                      # [a-z0-9][a-z0-9_.-]*, unique
 *   image: paddock/sshd:1           # must be one of the bundled images
 *   command: [/usr/sbin/sshd, -D, -e]
 *   entrypoint: [...]
 *   user: "0:0"
 *   privileged: false
 *   net: host                       # host | none | bridge
 *   pid: host                       # host | private
 *   ipc: private                    # host | private
 *   volumes: ["/src:/dst:ro"]
 *   env: ["K=V"]
 *   restart: always                 # always | on-failure | no
 *   depends_on: [syslog]
 *   roles: [worker]                 # default: every node
 *   health: tcp node.ssh_port SSH-  # running once 127.0.0.1:PORT sends
 *                                   # BANNER (PORT: a number or node.conf key)
 *
 * Errors name FILE:LINE:COL: unknown keys, wrong types, a missing or
 * unknown image, unknown services in depends_on, dependency cycles. */
#ifndef PADDOCK_OS_SERVICES_H
#define PADDOCK_OS_SERVICES_H

#include <stddef.h>

#include "perr.h"
#include "svcconf.h"

struct os_service {
	struct svcconf conf;
	unsigned roles;         /* enum plan_role bits; every role when not given */
	char *file;
	int line;               /* of the document */
	int image_line, image_col;
};

struct os_services {
	struct os_service *v;   /* dependencies before dependents */
	size_t n;
};

/* Reads every *.yml of dir in name order.  images: the image references
 * that exist (NULL-terminated); a service naming another is an error. */
int os_services_load(const char *dir, const char *const *images, struct os_services *out,
		     struct perr *err);

/* Parses one file's text (tests and os_services_load). */
int os_service_parse(const char *file, const char *buf, size_t len, struct os_service *out,
		     struct perr *err);

/* Checks names, images, depends_on and cycles, then orders v so every
 * service follows its dependencies. */
int os_services_check(struct os_services *s, const char *const *images, struct perr *err);

/* One baked file of a node layer. */
struct baked_file {
	char *path;             /* /etc/paddock/services/NN-NAME.conf */
	char *data;
	size_t len;
};

/* The services a node with these roles gets, as files; a service whose
 * dependency the node does not get is an error. */
int os_services_bake(const struct os_services *s, unsigned roles, struct baked_file **ret,
		     size_t *ret_n, struct perr *err);
void baked_files_free(struct baked_file *v, size_t n);

void os_services_free(struct os_services *s);

#endif
