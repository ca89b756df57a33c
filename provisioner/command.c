#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "run.h"

int command_run(char *const argv[], const char *input, int timeout_s, int *ret_code, struct perr *err)
{
	int in[2] = { -1, -1 }, st = 0, r;
	pid_t pid;

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
	if ((r = run_reap(pid, argv[0], timeout_s, &st, err)) < 0)
		return r;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return perr_set(err, -ENOENT, "%s: cannot run it", argv[0]);
	if (!WIFEXITED(st))
		return perr_set(err, -EIO, "%s killed by signal %d", argv[0], WTERMSIG(st));
	*ret_code = WEXITSTATUS(st);
	return 0;
}
