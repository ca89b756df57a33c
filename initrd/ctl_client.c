#include "ctl_client.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "strbuf.h"

#define ERROR_MAX 4096

static const char *who(const char *sock)
{
	return strcmp(sock, CONTROL_SOCK) ? "paddock-services" : "init";
}

/* A connection to sock with req sent, or a negative code. */
static int connect_and_send(const char *sock, const char *req, struct perr *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(sock) >= sizeof(a.sun_path))
		return perr_set(err, -ENAMETOOLONG, "%s: path too long", sock);
	strcpy(a.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return perr_set(err, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return perr_set(err, -e, "cannot reach %s at %s: %s", who(sock), sock, strerror(e));
	}
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req) || write(fd, "\n", 1) != 1) {
		int e = errno ? errno : EIO;
		close(fd);
		return perr_set(err, -e, "writing to %s: %s", who(sock), strerror(e));
	}
	return fd;
}

static ssize_t read_some(int fd, char *buf, size_t len)
{
	ssize_t n;
	while ((n = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	return n;
}

int ctl_ask(const char *sock, const char *req, char **ret, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd = connect_and_send(sock, req, err);

	if (fd < 0)
		return fd;
	sb.max = CTL_ANSWER_MAX;
	while ((n = read_some(fd, buf, sizeof(buf))) > 0)
		sb_add(&sb, buf, (size_t)n);
	close(fd);
	sb_add(&sb, "", 0);
	if (sb.err) {
		int r = sb.err;
		sb_free(&sb);
		return perr_set(err, r, "answer from %s too large", who(sock));
	}
	*ret = sb_steal(&sb);
	return 0;
}

static int write_all(int fd, const char *p, size_t len, struct perr *err)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return perr_set(err, n < 0 ? -errno : -EIO, "writing the answer: %s", strerror(n < 0 ? errno : EIO));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_ask_to(const char *sock, const char *req, int out_fd, struct perr *err)
{
	char buf[16384];
	size_t have = 0;
	ssize_t n = 0;
	int r = 0, fd = connect_and_send(sock, req, err);

	if (fd < 0)
		return fd;
	/* enough of the answer to tell an error from the first line of a log */
	while (have < 6 && (n = read_some(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	if (have >= 6 && !memcmp(buf, "error\t", 6)) {
		while (have < ERROR_MAX && !memchr(buf, '\n', have) &&
		       (n = read_some(fd, buf + have, ERROR_MAX - have)) > 0)
			have += (size_t)n;
		buf[have] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		return perr_set(err, -EIO, "%s", buf + 6);
	}
	r = write_all(out_fd, buf, have, err);
	while (r == 0 && (n = read_some(fd, buf, sizeof(buf))) > 0)
		r = write_all(out_fd, buf, (size_t)n, err);
	if (r == 0 && n < 0)
		r = perr_set(err, -errno, "reading from %s: %s", who(sock), strerror(errno));
	close(fd);
	return r;
}
