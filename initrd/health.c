#include "health.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "svcconf.h"

#define BANNER_MAX 64

/* Waits for events on fd until end; 1 ready, 0 timed out, <0 error. */
static int wait_fd(int fd, short events, double end)
{
	for (;;) {
		double left = end - boot_seconds();
		struct pollfd p = { fd, events, 0 };
		int r;
		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -errno : r > 0;
	}
}

int health_tcp_try(const char *host, unsigned port, const char *banner, double timeout_s, struct perr *err)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	double end = boot_seconds() + timeout_s;
	size_t want = strlen(banner), got = 0;
	char buf[BANNER_MAX];
	int fd, r, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (want > sizeof(buf))
		return perr_set(err, -EINVAL, "banner '%s' is too long", banner);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return perr_set(err, -EINVAL, "%s: not an IPv4 address", host);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return perr_set(err, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
		r = perr_set(err, -errno, "%s:%u: %s", host, port, strerror(errno));
		goto out;
	}
	if ((r = wait_fd(fd, POLLOUT, end)) <= 0) {
		r = perr_set(err, r ? r : -ETIMEDOUT, "%s:%u: no connection within %.0f s", host, port, timeout_s);
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		r = perr_set(err, -(soerr ? soerr : errno), "%s:%u: %s", host, port, strerror(soerr ? soerr : errno));
		goto out;
	}
	while (got < want) {
		ssize_t n;
		if ((r = wait_fd(fd, POLLIN, end)) <= 0) {
			r = perr_set(err, r ? r : -ETIMEDOUT, "%s:%u: connected, but no '%s' within %.0f s", host, port,
				     banner, timeout_s);
			goto out;
		}
		n = read(fd, buf + got, want - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			r = perr_set(err, n < 0 ? -errno : -ECONNRESET, "%s:%u: closed before '%s'", host, port, banner);
			goto out;
		}
		got += (size_t)n;
	}
	if (memcmp(buf, banner, want)) {
		size_t shown = 0;
		while (shown < got && buf[shown] >= ' ' && buf[shown] < 0x7f)
			shown++;
		r = perr_set(err, -EPROTO, "%s:%u: answered '%.*s', not '%s'", host, port, (int)shown, buf, banner);
	} else {
		r = 0;
	}
out:
	close(fd);
	return r;
}

int health_check(const char *spec, const struct nodecfg *cfg, double timeout_s, struct perr *err)
{
	struct svc_health h;
	unsigned port;
	int r;

	if ((r = svc_health_parse(spec, &h, err)) < 0)
		return r;
	port = h.port;
	if (!port) {
		const char *v = cfg ? nodecfg_get(cfg, h.port_key) : NULL;
		char *end = NULL;
		unsigned long p = v ? strtoul(v, &end, 10) : 0;
		if (!v || !*v || *end || p < 1 || p > 65535) {
			r = perr_set(err, -EINVAL, "%s: %s in " NODECFG_PATH " is not a TCP port", spec, h.port_key);
			svc_health_free(&h);
			return r;
		}
		port = (unsigned)p;
	}
	r = health_tcp_try("127.0.0.1", port, h.banner, timeout_s, err);
	svc_health_free(&h);
	return r;
}
