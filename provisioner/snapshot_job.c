#include "snapshot_job.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int snapshot_job_start(struct snapshot_job *j, void (*fn)(void *arg, struct snapshot_result *res), void *arg,
		       struct perr *err)
{
	int fds[2];
	pid_t pid;

	if (j->pid > 0)
		return perr_set(err, -EBUSY, "a snapshot runs already");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return perr_set(err, -errno, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return perr_set(err, -e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		struct snapshot_result res;
		const char *p = (const char *)&res;
		size_t left = sizeof(res);

		close(fds[0]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		memset(&res, 0, sizeof(res));
		fn(arg, &res);
		/* less than PIPE_BUF: one write */
		while (left) {
			ssize_t n = write(fds[1], p, left);
			if (n <= 0)
				break;
			p += n;
			left -= (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	j->pid = pid;
	j->fd = fds[0];
	return 0;
}

static void ended(struct snapshot_job *j, int status, struct snapshot_result *res)
{
	ssize_t n;
	size_t got = 0;

	memset(res, 0, sizeof(*res));
	while (got < sizeof(*res) && (n = read(j->fd, (char *)res + got, sizeof(*res) - got)) > 0)
		got += (size_t)n;
	if (got != sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		res->r = -EIO;
		res->free_bytes = -1;
		if (WIFSIGNALED(status))
			snprintf(res->msg, sizeof(res->msg), "the snapshot process was killed (signal %d)",
				 WTERMSIG(status));
		else
			snprintf(res->msg, sizeof(res->msg), "the snapshot process ended without a result");
	}
	res->msg[sizeof(res->msg) - 1] = '\0';
	res->name[sizeof(res->name) - 1] = '\0';
	close(j->fd);
	j->fd = -1;
	j->pid = 0;
}

int snapshot_job_poll(struct snapshot_job *j, struct snapshot_result *res)
{
	int status = 0;
	pid_t r;

	if (j->pid <= 0)
		return 0;
	while ((r = waitpid(j->pid, &status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	ended(j, r < 0 ? 0 : status, res);
	return 1;
}

void snapshot_job_kill(struct snapshot_job *j)
{
	struct snapshot_result res;
	int status = 0;

	if (j->pid <= 0)
		return;
	kill(j->pid, SIGKILL);
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	ended(j, status, &res);
}
