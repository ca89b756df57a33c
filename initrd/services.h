/* services: the os-services init runs in System Docker, and the bundled
 * images they come from. */
#ifndef PADDOCK_INIT_SERVICES_H
#define PADDOCK_INIT_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"
#include "supervise.h"
#include "svcconf.h"

#define IMAGES_DIR "/usr/share/paddock/images"

struct osvc {
	struct svcconf conf;
	struct sv *sv;          /* its watcher */
	bool announced;         /* "service X running" printed for this run */
};

/* Reads every *.conf in dir, in file-name order (the builder's NN- prefix
 * puts dependencies first).  A missing dir means no services. */
int services_load(const char *dir, struct osvc **ret, size_t *ret_n, struct perr *err);
void services_free(struct osvc *v, size_t n);

/* Registers a watcher per service (not started). */
int services_register(struct osvc *v, size_t n, struct perr *err);

/* Starts each waiting service whose depends_on are all running; returns
 * how many were started. */
size_t services_start_ready(struct osvc *v, size_t n, double now);

/* Stops the containers in reverse order through the API (grace period
 * timeout_s each) and ends the watchers. */
void services_stop_all(struct osvc *v, size_t n, int timeout_s);

/* sv_fn: loads every *.tar of IMAGES_DIR into System Docker. */
int images_load_all(void *arg, int ready_fd);

#endif
