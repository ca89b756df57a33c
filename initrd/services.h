/* services: the os-services and role containers paddock-services
 * (servicesd.h) runs in System Docker, and the bundled images they come
 * from.  Role containers (CONTAINERS_DIR) start after the os-services they
 * depend on; their images may be pulled (pull.h). */
#ifndef PADDOCK_INIT_SERVICES_H
#define PADDOCK_INIT_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"
#include "supervise.h"
#include "svcconf.h"

#define IMAGES_DIR "/usr/share/paddock/images"
/* the node's role containers, as the builder writes them (svcconf.h) */
#define CONTAINERS_DIR "/etc/paddock/containers"
/* etcd is the provisioner's; a role container that depends on it waits
 * for this file, which the provisioner keeps while etcd is healthy */
#define ETCD_NAME "etcd"
#define ETCD_HEALTHY "/run/paddock/etcd.healthy"
/* the seconds a container gets to stop before System Docker kills it */
#define SERVICES_STOP_GRACE 10

struct osvc {
	struct svcconf conf;
	struct sv *sv;          /* its watcher */
	bool announced;         /* "service X running" printed for this run */
	bool role;              /* a role container (CONTAINERS_DIR), else an os-service */
};

/* Orders "NN-NAME.conf" file names by NN as a number, then by name; names
 * without a number last.  The builder's NN puts dependencies first. */
void services_sort_files(char **names, size_t n);

/* Reads every *.conf in dir, in services_sort_files() order.  A missing
 * dir means no services. */
int services_load(const char *dir, struct osvc **ret, size_t *ret_n, struct perr *err);
void services_free(struct osvc *v, size_t n);

/* Appends the role containers of dir (as services_load reads them, all
 * but ETCD_NAME) to *v, marked role. */
int services_load_roles(const char *dir, struct osvc **v, size_t *n, struct perr *err);

/* Registers a watcher per service (not started). */
int services_register(struct osvc *v, size_t n, struct perr *err);

/* Whether every depends_on of o is running (ETCD_NAME: etcd_healthy exists). */
bool services_deps_running(const struct osvc *v, size_t n, const struct osvc *o, const char *etcd_healthy);

/* Starts each waiting service whose depends_on are all running (ETCD_NAME,
 * run by the provisioner: ETCD_HEALTHY exists); returns how many were
 * started. */
size_t services_start_ready(struct osvc *v, size_t n, double now);

/* Stops the containers through the API, all at once (a child each, the
 * last started asked first), each with SERVICES_STOP_GRACE seconds and all
 * within budget_s, then ends the watchers (the caller reaps them). */
void services_stop_all(struct osvc *v, size_t n, double budget_s);

/* Whether dir holds the etcd container's file (the node runs etcd). */
bool services_run_etcd(const char *dir);

/* sv_fn: loads every *.tar of IMAGES_DIR into System Docker; when arg
 * points to true, once etcd is healthy (ETCD_HEALTHY): loading them beside
 * etcd's first election took the CPU the election needed under TCG.  A
 * node whose etcd does not become healthy (a peer missing) loads them
 * ETCD_HEALTHY_WAIT_SECS after the provisioner's first start of etcd
 * (ETCD_START_TRIED), and ETCD_START_WAIT_SECS after it began waiting at
 * most. */
#define ETCD_START_WAIT_SECS 180.0
#define ETCD_HEALTHY_WAIT_SECS 60.0
int images_load_all(void *arg, int ready_fd);

#endif
