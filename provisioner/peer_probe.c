#include "peer_probe.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool try_addr(const struct addrinfo *a, int timeout_ms)
{
	int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e = 0;
	socklen_t el = sizeof(e);
	struct pollfd p;
	bool ok = false;

	if (fd < 0)
		return false;
	if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
		ok = true;
	} else if (errno == EINPROGRESS) {
		p = (struct pollfd){ fd, POLLOUT, 0 };
		ok = poll(&p, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && !e;
	}
	close(fd);
	return ok;
}

bool peer_reachable(const char *url, int timeout_ms)
{
	const char *h = strstr(url, "://");
	char host[256], port[8] = "2380";
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *res = NULL;
	size_t len;
	bool ok = false;

	h = h ? h + 3 : url;
	len = strcspn(h, "/");
	if (len >= sizeof(host))
		return false;
	memcpy(host, h, len);
	host[len] = '\0';
	char *colon = strrchr(host, ':');
	if (colon && !strchr(colon, ']')) {
		snprintf(port, sizeof(port), "%.6s", colon + 1);
		*colon = '\0';
	}
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return false;
	for (struct addrinfo *a = res; a && !ok; a = a->ai_next)
		ok = try_addr(a, timeout_ms);
	freeaddrinfo(res);
	return ok;
}
