#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void run_child_reset(void)
{
	sigset_t all;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static pid_t spawn(char *const argv[], bool quiet, struct perr *err)
{
	pid_t pid = fork();

	if (pid < 0)
		return perr_set(err, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", quiet ? O_RDWR : O_RDONLY);
		run_child_reset();
		setsid();
		if (fd > 0) {
			dup2(fd, STDIN_FILENO);
			if (quiet) {
				dup2(fd, STDOUT_FILENO);
				dup2(fd, STDERR_FILENO);
			}
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

pid_t run_spawn(char *const argv[], struct perr *err)
{
	return spawn(argv, false, err);
}

int run_reap(pid_t pid, const char *name, int timeout_s, int *ret_status, struct perr *err)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long waited_ms = 0;
	int st;
	pid_t w;

	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return perr_set(err, -errno, "%s: waitpid: %s", name, strerror(errno));
		if (waited_ms >= (long)timeout_s * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return perr_set(err, -ETIMEDOUT, "%s: no answer within %d s", name, timeout_s);
		}
		nanosleep(&tick, NULL);
		waited_ms += 10;
		if (waited_ms > 200)
			tick.tv_nsec = 50 * 1000 * 1000, waited_ms += 40;
	}
	*ret_status = st;
	return 0;
}

static int wait_for(char *const argv[], int timeout_s, bool quiet, struct perr *err)
{
	int st, r;
	pid_t pid = spawn(argv, quiet, err);

	if (pid < 0)
		return pid;
	if ((r = run_reap(pid, argv[0], timeout_s, &st, err)) < 0)
		return r;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		return perr_set(err, WEXITSTATUS(st) == 127 ? -ENOENT : -EIO, "%s exited with %d", argv[0],
				WEXITSTATUS(st));
	return perr_set(err, -EIO, "%s killed by signal %d", argv[0], WTERMSIG(st));
}

int run_wait(char *const argv[], int timeout_s, struct perr *err)
{
	return wait_for(argv, timeout_s, false, err);
}

int run_wait_quiet(char *const argv[], int timeout_s, struct perr *err)
{
	return wait_for(argv, timeout_s, true, err);
}
