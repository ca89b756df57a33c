#include "serve/dnsmasq_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *program(void)
{
	const char *p = getenv("PADDOCK_DNSMASQ");
	return p && *p ? p : DNSMASQ_PATH;
}

static pid_t spawn(char *const argv[], int out_fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
			_exit(127);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int dnsmasq_start(const char *conf, struct dnsmasq_child *c, struct perr *err)
{
	char *arg = NULL;
	int p[2];
	if (access(program(), X_OK) < 0)
		return perr_set(err, -ENOENT, "%s: %s (install Debian's dnsmasq-base)", program(), strerror(errno));
	if (asprintf(&arg, "--conf-file=%s", conf) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(arg);
		return perr_set(err, -errno, "pipe: %s", strerror(errno));
	}
	char *argv[] = { (char *)program(), "--keep-in-foreground", arg, "--pid-file=", NULL };
	c->pid = spawn(argv, p[1]);
	int e = errno;
	free(arg);
	close(p[1]);
	if (c->pid < 0) {
		close(p[0]);
		return perr_set(err, -e, "cannot start dnsmasq: %s", strerror(e));
	}
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	c->log_fd = p[0];
	return 0;
}

int dnsmasq_stop(struct dnsmasq_child *c)
{
	int st = 0;
	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		for (int i = 0; i < 50; i++) {
			if (waitpid(c->pid, &st, WNOHANG) == c->pid)
				goto reaped;
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
		}
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &st, 0);
	}
reaped:
	c->pid = -1;
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->log_fd = -1;
	return st;
}

int dnsmasq_check_conf(const char *conf, struct perr *err)
{
	char *arg = NULL, buf[512];
	int p[2], st = 0;
	if (asprintf(&arg, "--conf-file=%s", conf) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(arg);
		return perr_set(err, -errno, "pipe: %s", strerror(errno));
	}
	char *argv[] = { (char *)program(), "--test", arg, NULL };
	pid_t pid = spawn(argv, p[1]);
	free(arg);
	close(p[1]);
	ssize_t n = pid < 0 ? -1 : read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return perr_set(err, -EIO, "cannot run %s", program());
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		buf[n > 0 ? n : 0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		return perr_set(err, -EINVAL, "dnsmasq refuses the configuration: %s", buf);
	}
	return 0;
}
