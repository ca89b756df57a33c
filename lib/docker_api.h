/* docker_api: a Docker Engine API client over a unix socket (libcurl).
 *
 * Used by init (System Docker, os-services), paddockctl and the
 * provisioner.  Every call is synchronous; a handle is not thread-safe.
 * Errors: -ENOENT for "no such container/image", -EEXIST for a name
 * conflict, -ECONNREFUSED/-EIO when the daemon cannot be reached or
 * answers badly; *err carries the daemon's own message. */
#ifndef PADDOCK_DOCKER_API_H
#define PADDOCK_DOCKER_API_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "log_demux.h"
#include "perr.h"

#define SYSTEM_DOCKER_SOCK "/var/run/system-docker.sock"

struct docker;

struct docker_state {
	char *id;
	char *status;       /* "created", "running", "exited", ... */
	bool running;
	int exit_code;
	int pid;
	int restart_count;
	char *started_at;   /* RFC 3339 as docker reports it */
};

/* Opens a client for the daemon at sock (no I/O yet). */
int docker_open(const char *sock, struct docker **out, struct perr *err);
void docker_close(struct docker *d);

/* Per-request timeout in seconds for calls that do not block by design
 * (0: none).  Default 60. */
void docker_set_timeout(struct docker *d, long seconds);
/* While *flag is set (a signal handler's), requests end at once with
 * -ECANCELED; NULL: never. */
void docker_set_cancel(struct docker *d, const volatile sig_atomic_t *flag);

/* GET /_ping: 0 when the daemon answers "OK". */
int docker_ping(struct docker *d, struct perr *err);

/* POST /images/load streaming a docker-save tarball from path. */
int docker_image_load(struct docker *d, const char *path, struct perr *err);

/* 0 when the image (name:tag or id) exists, -ENOENT when not. */
int docker_image_exists(struct docker *d, const char *ref, struct perr *err);

/* Why a pull failed, from the daemon's status and message. */
enum docker_pull_fail {
	DOCKER_PULL_OTHER,
	DOCKER_PULL_AUTH,        /* 401/403, "unauthorized": the credentials */
	DOCKER_PULL_UNREACHABLE, /* no connection to the registry */
	DOCKER_PULL_NOT_FOUND,   /* the registry has no such image */
	DOCKER_PULL_TLS,         /* the registry's certificate is not trusted */
};
enum docker_pull_fail docker_pull_classify(long http_status, const char *msg);
/* "wrong credentials", "registry unreachable", ... */
const char *docker_pull_fail_name(enum docker_pull_fail c);

/* POST /images/create?fromImage=REF (":latest" when ref names no tag or
 * digest), sending auth as X-Registry-Auth when not NULL.  On failure
 * *ret_class says why and *err carries the daemon's message (never the
 * credentials). */
int docker_image_pull(struct docker *d, const char *ref, const char *auth,
		      enum docker_pull_fail *ret_class, struct perr *err);

/* POST /containers/create?name=NAME with a JSON body (the Engine API's
 * ContainerConfig + HostConfig); *ret_id set on success (caller frees). */
int docker_container_create(struct docker *d, const char *name, const char *json_body,
			    char **ret_id, struct perr *err);

int docker_container_start(struct docker *d, const char *id, struct perr *err);

/* Stops with a grace period of timeout_s seconds before SIGKILL.  Stopping
 * a stopped container is not an error. */
int docker_container_stop(struct docker *d, const char *id, int timeout_s, struct perr *err);

int docker_container_kill(struct docker *d, const char *id, const char *signal, struct perr *err);

int docker_container_remove(struct docker *d, const char *id, bool force, struct perr *err);

/* GET /containers/ID/json; fills *st (free with docker_state_free). */
int docker_container_inspect(struct docker *d, const char *id, struct docker_state *st,
			     struct perr *err);
void docker_state_free(struct docker_state *st);

/* POST /containers/ID/wait: blocks until the container stops. */
int docker_container_wait(struct docker *d, const char *id, int *ret_exit_code, struct perr *err);

/* The last `tail` lines of stdout+stderr (0: all), demultiplexed, into a
 * new heap string (*ret_len bytes, NUL-terminated). */
int docker_container_logs(struct docker *d, const char *id, unsigned tail, char **ret_logs,
			  size_t *ret_len, struct perr *err);

/* The same logs handed to sink piece by piece as they arrive: memory stays
 * bounded whatever the log's size.  A sink's negative return ends the
 * transfer with that code. */
int docker_container_logs_stream(struct docker *d, const char *id, unsigned tail, log_sink sink, void *arg,
				 struct perr *err);

#endif
