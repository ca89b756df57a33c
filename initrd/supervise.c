#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

static struct sv **reg;
static size_t nreg;
static unsigned long nstarts;

static struct sv *add(struct sv *s)
{
	struct sv **g = realloc(reg, (nreg + 1) * sizeof(*reg));

	if (!g)
		return NULL;
	reg = g;
	reg[nreg++] = s;
	return s;
}

static void sv_free(struct sv *s)
{
	if (!s)
		return;
	if (s->argv)
		for (char **a = s->argv; *a; a++)
			free(*a);
	free(s->argv);
	free(s->name);
	free(s->log_path);
	if (s->ready_fd >= 0)
		close(s->ready_fd);
	free(s);
}

static struct sv *sv_new(const char *name, enum sv_restart restart)
{
	struct sv *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->name = strdup(name);
	s->restart = restart;
	s->ready_fd = -1;
	s->enabled = true;
	s->state = SV_WAITING;
	s->stop_secs = SV_STOP_SECS;
	if (!s->name) {
		free(s);
		return NULL;
	}
	return s;
}

struct sv *sv_add_program(const char *name, char *const argv[], const char *log_path,
			  enum sv_restart restart)
{
	struct sv *s = sv_new(name, restart);
	size_t n = 0;

	if (!s)
		return NULL;
	while (argv[n])
		n++;
	s->argv = calloc(n + 1, sizeof(char *));
	if (!s->argv || (log_path && !(s->log_path = strdup(log_path)))) {
		sv_free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!(s->argv[i] = strdup(argv[i]))) {
			sv_free(s);
			return NULL;
		}
	if (!add(s)) {
		sv_free(s);
		return NULL;
	}
	return s;
}

struct sv *sv_add_func(const char *name, sv_fn fn, void *arg, enum sv_restart restart)
{
	struct sv *s = sv_new(name, restart);

	if (!s)
		return NULL;
	s->fn = fn;
	s->arg = arg;
	if (!add(s)) {
		sv_free(s);
		return NULL;
	}
	return s;
}

struct sv *sv_find(const char *name)
{
	for (size_t i = 0; i < nreg; i++)
		if (!strcmp(reg[i]->name, name))
			return reg[i];
	return NULL;
}

struct sv *sv_find_pid(pid_t pid)
{
	for (size_t i = 0; i < nreg; i++)
		if (reg[i]->pid == pid && pid > 0)
			return reg[i];
	return NULL;
}

struct sv *sv_find_ready_fd(int fd)
{
	for (size_t i = 0; i < nreg; i++)
		if (reg[i]->ready_fd == fd && fd >= 0)
			return reg[i];
	return NULL;
}

struct sv **sv_all(size_t *n)
{
	*n = nreg;
	return reg;
}

int sv_start(struct sv *s, double now, struct perr *err)
{
	int pfd[2] = { -1, -1 };
	pid_t pid;

	if (s->pid > 0)
		return perr_set(err, -EBUSY, "%s: already running as pid %d", s->name, (int)s->pid);
	if (s->fn && pipe2(pfd, O_CLOEXEC) < 0)
		return perr_set(err, -errno, "%s: pipe: %s", s->name, strerror(errno));
	pid = fork();
	if (pid < 0) {
		int e = errno;
		if (pfd[0] >= 0) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return perr_set(err, -e, "%s: fork: %s", s->name, strerror(e));
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd > 0) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		if (s->log_path) {
			fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
			if (fd >= 0) {
				dup2(fd, STDOUT_FILENO);
				dup2(fd, STDERR_FILENO);
				if (fd > 2)
					close(fd);
			}
		}
		if (s->fn) {
			/* a function entry is a part of its parent: it ends with it */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(pfd[0]);
			/* keep init's signal handling (signalfd) out of the watcher,
			 * but a plain SIGTERM must end it */
			run_child_reset();
			_exit(s->fn(s->arg, pfd[1]) & 0xff);
		}
		run_child_reset();
		setsid();
		if (s->console && (fd = open("/dev/console", O_RDWR)) >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > 2)
				close(fd);
		}
		execv(s->argv[0], s->argv);
		_exit(127);
	}
	if (s->fn) {
		close(pfd[1]);
		s->ready_fd = pfd[0];
		s->state = SV_STARTING;
	} else {
		s->state = SV_RUNNING;
	}
	s->pid = pid;
	s->started = now;
	if (!s->first_start)
		s->first_start = ++nstarts;
	return 0;
}

double sv_backoff(unsigned streak)
{
	double d = 1.0;

	for (unsigned i = 1; i < streak && d < SV_BACKOFF_MAX; i++)
		d *= 2;
	return d > SV_BACKOFF_MAX ? SV_BACKOFF_MAX : d;
}

struct sv *sv_reaped(pid_t pid, int status, double now, double *ret_restart_in)
{
	struct sv *s = sv_find_pid(pid);
	bool failed;

	*ret_restart_in = -1;
	if (!s)
		return NULL;
	s->pid = 0;
	s->last_status = status;
	if (s->ready_fd >= 0) {
		close(s->ready_fd);
		s->ready_fd = -1;
	}
	failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!s->enabled) {
		s->state = SV_STOPPED;
		return s;
	}
	if (s->restart == SV_RESTART_NO || (s->restart == SV_RESTART_ON_FAILURE && !failed)) {
		s->state = SV_DONE;
		return s;
	}
	if (now - s->started >= SV_STABLE_SECS)
		s->streak = 0;
	s->streak++;
	s->state = SV_BACKOFF;
	*ret_restart_in = sv_backoff(s->streak);
	s->next_start = now + *ret_restart_in;
	return s;
}

void sv_mark_ready(struct sv *s)
{
	if (s->ready_fd >= 0) {
		close(s->ready_fd);
		s->ready_fd = -1;
	}
	if (s->state == SV_STARTING)
		s->state = SV_RUNNING;
}

struct sv *sv_ready_event(int fd)
{
	struct sv *s = sv_find_ready_fd(fd);
	char c;

	if (!s)
		return NULL;
	if (read(fd, &c, 1) == 1) {
		sv_mark_ready(s);
		return s;
	}
	close(s->ready_fd);
	s->ready_fd = -1;
	return NULL;
}

static int later_first(const void *a, const void *b)
{
	unsigned long x = (*(struct sv *const *)a)->first_start, y = (*(struct sv *const *)b)->first_start;

	return x < y ? 1 : x > y ? -1 : 0;
}

struct sv **sv_stop_order(size_t *n)
{
	struct sv **v = calloc(nreg + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < nreg; i++)
		if (reg[i]->first_start)
			v[(*n)++] = reg[i];
	qsort(v, *n, sizeof(*v), later_first);
	return v;
}

double sv_tick(double now)
{
	double next = 0;

	for (size_t i = 0; i < nreg; i++) {
		struct sv *s = reg[i];
		if (s->state != SV_BACKOFF || !s->enabled)
			continue;
		if (s->next_start <= now) {
			if (sv_start(s, now, NULL) == 0) {
				s->restarts++;
				continue;
			}
			s->next_start = now + 1.0;
		}
		if (!next || s->next_start < next)
			next = s->next_start;
	}
	return next;
}

void sv_stop(struct sv *s)
{
	s->enabled = false;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		/* an interactive shell ignores SIGTERM; a hangup ends it */
		if (s->console)
			kill(s->pid, SIGHUP);
	} else if (s->state != SV_DONE)
		s->state = SV_STOPPED;
}

const char *sv_state_name(enum sv_state st)
{
	switch (st) {
	case SV_WAITING: return "waiting";
	case SV_STARTING: return "starting";
	case SV_RUNNING: return "running";
	case SV_BACKOFF: return "backoff";
	case SV_DONE: return "done";
	case SV_STOPPED: return "stopped";
	}
	return "?";
}

void sv_reset(void)
{
	for (size_t i = 0; i < nreg; i++)
		sv_free(reg[i]);
	free(reg);
	reg = NULL;
	nreg = 0;
	nstarts = 0;
}
