#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define UNKNOWN "error\tunknown request\n"
#define BUSY "error\tbusy, try again\n"

enum control_req control_parse(const char *line, char **ret_name, unsigned *ret_lines)
{
	if (!strcmp(line, "status"))
		return CONTROL_STATUS;
	if (!strcmp(line, "poweroff"))
		return CONTROL_POWEROFF;
	if (!strcmp(line, "reboot"))
		return CONTROL_REBOOT;
	if (!strncmp(line, "logs ", 5)) {
		const char *sp = strchr(line + 5, ' ');
		char *end = NULL;
		unsigned long n = sp ? strtoul(sp + 1, &end, 10) : 0;
		if (sp && end && !*end && end > sp + 1 && sp > line + 5 && n < 1000000) {
			*ret_name = strndup(line + 5, (size_t)(sp - line - 5));
			*ret_lines = (unsigned)n;
			if (*ret_name)
				return CONTROL_LOGS;
		}
	}
	return CONTROL_NONE;
}

int control_listen(struct control *ctl, const char *path, struct perr *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	ctl->lfd = -1;
	ctl->secs = CONTROL_DEADLINE;
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		ctl->c[i] = (struct control_client){ .fd = -1 };
	if (strlen(path) >= sizeof(a.sun_path))
		return perr_set(err, -ENAMETOOLONG, "%s: path too long", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return perr_set(err, -errno, "socket: %s", strerror(errno));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		close(fd);
		return perr_set(err, -e, "%s: %s", path, strerror(e));
	}
	ctl->lfd = fd;
	return 0;
}

static void drop(struct control_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	*c = (struct control_client){ .fd = -1 };
}

void control_close(struct control *ctl)
{
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		drop(&ctl->c[i]);
	if (ctl->lfd >= 0)
		close(ctl->lfd);
	ctl->lfd = -1;
}

size_t control_pollfds(const struct control *ctl, struct pollfd *p, size_t max)
{
	size_t n = 0;

	if (ctl->lfd < 0)
		return 0;
	if (n < max)
		p[n++] = (struct pollfd){ ctl->lfd, POLLIN, 0 };
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS && n < max; i++)
		if (ctl->c[i].fd >= 0)
			p[n++] = (struct pollfd){ ctl->c[i].fd, ctl->c[i].out ? POLLOUT : POLLIN, 0 };
	return n;
}

void control_answer(struct control_client *c, const char *text, size_t len)
{
	free(c->out);
	c->out = malloc(len ? len : 1);
	c->outlen = c->out ? len : 0;
	c->outoff = 0;
	if (c->out)
		memcpy(c->out, text, len);
	else
		drop(c); /* no memory for the answer: the client sees EOF */
}

int control_take(struct control_client *c)
{
	int fd = c->fd;
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	c->fd = -1;
	drop(c);
	return fd;
}

void control_write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

static void accept_new(struct control *ctl, double now)
{
	int fd;

	while ((fd = accept4(ctl->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct control_client *c = NULL;
		for (size_t i = 0; i < CONTROL_MAX_CLIENTS && !c; i++)
			if (ctl->c[i].fd < 0)
				c = &ctl->c[i];
		if (!c) {
			/* every slot held: say so at once rather than queue behind them */
			ssize_t n = write(fd, BUSY, sizeof(BUSY) - 1);
			(void)n;
			close(fd);
			continue;
		}
		*c = (struct control_client){ .fd = fd, .deadline = now + ctl->secs };
	}
}

/* Reads what the client sent; once a line is in, hands it to fn. */
static void read_request(struct control_client *c, control_fn fn, void *arg)
{
	char *nl, *name = NULL;
	unsigned lines = 0;
	enum control_req req;

	for (;;) {
		ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
		if (n == 0 && c->inlen) {
			/* the client shut its side after a request without a newline */
			nl = c->in + c->inlen;
			break;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			drop(c);
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			continue;
		}
		c->inlen += (size_t)n;
		c->in[c->inlen] = '\0';
		if ((nl = strpbrk(c->in, "\r\n")) || c->inlen == sizeof(c->in) - 1)
			break;
	}
	if (!nl) {
		control_answer(c, UNKNOWN, sizeof(UNKNOWN) - 1);
		return;
	}
	*nl = '\0';
	req = control_parse(c->in, &name, &lines);
	if (req != CONTROL_NONE)
		fn(arg, c, req, name, lines);
	free(name);
	if (c->fd >= 0 && !c->out)
		control_answer(c, UNKNOWN, sizeof(UNKNOWN) - 1);
}

static void write_answer(struct control_client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		c->outoff += (size_t)n;
	}
	drop(c);
}

static void serve_clients(struct control *ctl, double now, control_fn fn, void *arg)
{
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = &ctl->c[i];
		if (c->fd >= 0 && now >= c->deadline)
			drop(c);
		if (c->fd >= 0 && !c->out)
			read_request(c, fn, arg);
		if (c->fd >= 0 && c->out)
			write_answer(c);
	}
}

void control_serve(struct control *ctl, double now, control_fn fn, void *arg)
{
	if (ctl->lfd < 0)
		return;
	/* the clients that are done free their slots before new ones come;
	 * a new client has usually sent its request with its connection */
	serve_clients(ctl, now, fn, arg);
	accept_new(ctl, now);
	serve_clients(ctl, now, fn, arg);
}

double control_next_deadline(const struct control *ctl)
{
	double next = 0;

	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->c[i].fd >= 0 && (!next || ctl->c[i].deadline < next))
			next = ctl->c[i].deadline;
	return next;
}
