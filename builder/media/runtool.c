#include "media/runtool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"

/* Keeps the last TAIL bytes of the tool's stderr for the error message. */
#define TAIL 2048

char *find_program(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	char *copy = strdup(path), *save = NULL, *found = NULL;
	if (!copy)
		return NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = path_join(dir, name);
		if (p && access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

int run_tool(char *const argv[], long long sde, struct perr *err)
{
	return run_tool_in(NULL, argv, sde, err);
}

int run_tool_in(const char *cwd, char *const argv[], long long sde, struct perr *err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return perr_set(err, -errno, "%s: pipe: %s", argv[0], strerror(errno));
	char sdebuf[32];
	snprintf(sdebuf, sizeof sdebuf, "%lld", sde);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return perr_set(err, -e, "%s: fork: %s", argv[0], strerror(e));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		if (cwd && chdir(cwd) < 0) {
			dprintf(2, "cannot enter %s: %s\n", cwd, strerror(errno));
			_exit(127);
		}
		if (sde >= 0)
			setenv("SOURCE_DATE_EPOCH", sdebuf, 1);
		setenv("LC_ALL", "C", 1);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	char tail[TAIL + 1];
	size_t len = 0;
	for (;;) {
		char buf[4096];
		ssize_t n = read(pfd[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n >= TAIL) {
			memcpy(tail, buf + n - TAIL, TAIL);
			len = TAIL;
		} else {
			if (len + (size_t)n > TAIL) {
				size_t drop = len + (size_t)n - TAIL;
				memmove(tail, tail + drop, len - drop);
				len -= drop;
			}
			memcpy(tail + len, buf, (size_t)n);
			len += (size_t)n;
		}
	}
	close(pfd[0]);
	tail[len] = 0;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return perr_set(err, -errno, "%s: wait: %s", argv[0], strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == ' '))
		tail[--len] = 0;
	if (WIFEXITED(status))
		return perr_set(err, -EIO, "%s failed (exit %d)%s%s", argv[0], WEXITSTATUS(status),
				len ? ": " : "", tail);
	return perr_set(err, -EIO, "%s killed by signal %d", argv[0],
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
