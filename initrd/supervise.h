/* supervise: the processes a program starts and keeps running: init's
 * (System Docker, paddock-services, DHCP) and paddock-services' (the
 * image loader, the os-service watchers), each in its own registry.
 *
 * A supervised entry is either a program (argv) or a function run in a
 * forked child (the os-service watchers).  When it ends it is restarted
 * after a back-off that doubles with each quick failure (1 s .. 60 s), so
 * a crashing service never starves the node.  The main loop calls
 * sv_reaped() for every child it reaps and sv_tick() when the deadline
 * sv_tick() returned has passed. */
#ifndef PADDOCK_INIT_SUPERVISE_H
#define PADDOCK_INIT_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

enum sv_state { SV_WAITING, SV_STARTING, SV_RUNNING, SV_BACKOFF, SV_DONE, SV_STOPPED };
enum sv_restart { SV_RESTART_ALWAYS, SV_RESTART_ON_FAILURE, SV_RESTART_NO };

/* A run that lasted this long resets the back-off. */
#define SV_STABLE_SECS 30.0
#define SV_BACKOFF_MAX 60.0
/* stop_secs unless the caller sets another */
#define SV_STOP_SECS 10.0

struct sv;
/* Runs in the child; write one byte to ready_fd once up.  Returns the exit status. */
typedef int (*sv_fn)(void *arg, int ready_fd);

struct sv {
	char *name;
	char **argv;            /* program, or NULL for a function */
	sv_fn fn;
	void *arg;
	char *log_path;         /* stdout/stderr of a program; NULL: console */
	enum sv_restart restart;
	enum sv_state state;
	pid_t pid;
	unsigned restarts;      /* times restarted since boot */
	unsigned streak;        /* quick failures in a row */
	double started, next_start;
	unsigned long first_start; /* place in the order of first starts, 0: never started */
	double stop_secs;       /* how long a stop waits for it before moving on */
	int last_status;        /* wait status of the last run */
	int ready_fd;           /* parent's end of the ready pipe, -1 */
	bool enabled;           /* false once stopped on purpose */
	bool console;           /* stdin/out/err on /dev/console (a shell) */
};

/* Registers an entry (not started).  argv is copied. */
struct sv *sv_add_program(const char *name, char *const argv[], const char *log_path,
			  enum sv_restart restart);
struct sv *sv_add_func(const char *name, sv_fn fn, void *arg, enum sv_restart restart);

struct sv *sv_find(const char *name);
struct sv *sv_find_pid(pid_t pid);
struct sv *sv_find_ready_fd(int fd);
/* All entries in registration order. */
struct sv **sv_all(size_t *n);

/* Starts the entry; -EBUSY while it still runs (a second copy would
 * leave the first unwatched). */
int sv_start(struct sv *s, double now, struct perr *err);

/* The seconds to wait before restart number streak+1. */
double sv_backoff(unsigned streak);

/* Records the end of a child.  Returns the entry or NULL (not ours).
 * *ret_restart_in: seconds until it is started again, or -1 when not. */
struct sv *sv_reaped(pid_t pid, int status, double now, double *ret_restart_in);

/* Marks the entry running (its ready byte arrived); closes the pipe. */
void sv_mark_ready(struct sv *s);

/* A ready pipe polled readable: reads it.  Returns the entry that became
 * ready, or NULL (not a ready pipe, or its child ended before ready: the
 * pipe is closed and the child is reaped soon). */
struct sv *sv_ready_event(int fd);

/* The entries ever started, the last first started first (heap array of
 * *n entries; the entries stay the registry's).  Stopping in this order
 * stops what depends on an entry before the entry. */
struct sv **sv_stop_order(size_t *n);

/* Starts entries whose back-off has passed; returns the next deadline
 * (absolute seconds) or 0 when none is pending.  Failures to fork are
 * rescheduled. */
double sv_tick(double now);

/* Stops an entry for good: SIGTERM now (and SIGHUP to a console shell,
 * which ignores SIGTERM); the caller reaps. */
void sv_stop(struct sv *s);

const char *sv_state_name(enum sv_state st);

/* Frees the registry (tests). */
void sv_reset(void);

#endif
