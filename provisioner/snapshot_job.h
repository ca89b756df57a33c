/* snapshot_job: one snapshot at a time in a child process, beside the
 * provisioner's loop, so that health checks, restarts and promotions go
 * on while it runs: started, polled (waitpid WNOHANG; its result comes
 * back through a pipe) and killed when the loop says so (its deadline,
 * the shutdown). */
#ifndef PADDOCK_PROV_SNAPSHOT_JOB_H
#define PADDOCK_PROV_SNAPSHOT_JOB_H

#include <stdbool.h>
#include <sys/types.h>

#include "perr.h"
#include "snapshot_take.h"

struct snapshot_job {
	pid_t pid;              /* 0: none running */
	int fd;                 /* the result's pipe */
};

/* Runs fn(arg, res) in a child (which ends when the parent dies);
 * -EBUSY when one runs already. */
int snapshot_job_start(struct snapshot_job *j, void (*fn)(void *arg, struct snapshot_result *res), void *arg,
		       struct perr *err);

/* 0 while it runs (or none does); 1 when it ended, with *res (a child
 * that ended without one: a failure saying how it ended). */
int snapshot_job_poll(struct snapshot_job *j, struct snapshot_result *res);

/* Kills it (SIGKILL) and reaps it; none running: nothing. */
void snapshot_job_kill(struct snapshot_job *j);

static inline bool snapshot_job_running(const struct snapshot_job *j)
{
	return j->pid > 0;
}

#endif
