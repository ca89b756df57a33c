#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

int command_run(char *const argv[], const char *input, int timeout_s, int *ret_code, struct perr *err)
{
	int in[2] = { -1, -1 }, st = 0;
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	long waited_ms = 0;
	pid_t pid, w;

	if (input && pipe2(in, O_CLOEXEC) < 0)
		return perr_set(err, -errno, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int e = errno;
		if (input) {
			close(in[0]);
			close(in[1]);
		}
		return perr_set(err, -e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		int fd = input ? in[0] : open("/dev/null", O_RDONLY);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	if (input) {
		close(in[0]);
		fd_write_all(in[1], input, strlen(input));
		close(in[1]);
	}
	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return perr_set(err, -errno, "%s: waitpid: %s", argv[0], strerror(errno));
		if (waited_ms >= (long)timeout_s * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return perr_set(err, -ETIMEDOUT, "%s: not done within %d s", argv[0], timeout_s);
		}
		nanosleep(&tick, NULL);
		waited_ms += 50;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return perr_set(err, -ENOENT, "%s: cannot run it", argv[0]);
	if (!WIFEXITED(st))
		return perr_set(err, -EIO, "%s killed by signal %d", argv[0], WTERMSIG(st));
	*ret_code = WEXITSTATUS(st);
	return 0;
}
