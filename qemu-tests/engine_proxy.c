/* engine_proxy: runs in a test guest, started from the root console, and
 * lets the host's test reach System Docker's Engine API: every TCP
 * connection to PORT is relayed, byte for byte, to the unix socket SOCKET
 * (the test forwards a host port to PORT with QEMU user networking).  It
 * knows nothing of HTTP; the host's client speaks it.
 *
 *   engine_proxy PORT SOCKET
 *
 * One child per connection; runs until killed.  Test tooling only: no
 * image carries it. */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unix_dial.h"

/* Copies both ways until both sides have ended; an end is passed on as a
 * half close, so a request body's end reaches the daemon. */
static void relay(int a, int b)
{
	struct pollfd p[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
	char buf[65536];

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0)
			return;
		for (int i = 0; i < 2; i++) {
			int to = i ? a : b;
			ssize_t n;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				shutdown(to, SHUT_WR);
				p[i].fd = -1;
				continue;
			}
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(to, buf + off, (size_t)(n - off));
				if (w <= 0)
					return;
				off += w;
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, ls;

	if (argc != 3) {
		fprintf(stderr, "usage: engine_proxy PORT SOCKET\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 16) < 0) {
		perror("engine_proxy: listen");
		return 1;
	}
	for (;;) {
		int c = accept(ls, NULL, NULL), u;
		if (c < 0)
			continue;
		if (fork() == 0) {
			close(ls);
			u = unix_dial(argv[2], 0);
			if (u >= 0)
				relay(c, u);
			_exit(0);
		}
		close(c);
	}
}
