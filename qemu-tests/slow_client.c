/* slow_client: runs in a guest and holds connections to control sockets
 * the way a broken or hostile client would, to show they cannot delay PID 1.
 *
 *   slow_client SOCKET...
 *
 * On each socket it keeps two connections open: one that never sends a
 * byte, and one that sends a byte every half second but never the newline
 * that ends a request.  A connection the server closes is opened again.  A
 * socket that does not exist is retried.  Runs until killed. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "unix_dial.h"

#define MAX_SOCKS 4

/* A closed peer shows as EOF (silent) or a failed write (trickling). */
static int gone(int fd)
{
	char c;
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

int main(int argc, char **argv)
{
	int silent[MAX_SOCKS], trickle[MAX_SOCKS], n = argc - 1;
	struct timespec half = { 0, 500 * 1000 * 1000 };

	if (n < 1 || n > MAX_SOCKS) {
		fprintf(stderr, "usage: slow_client SOCKET...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < n; i++)
		silent[i] = trickle[i] = -1;
	for (;;) {
		for (int i = 0; i < n; i++) {
			if (silent[i] >= 0 && gone(silent[i])) {
				close(silent[i]);
				silent[i] = -1;
			}
			if (trickle[i] >= 0 && (gone(trickle[i]) || write(trickle[i], "x", 1) != 1)) {
				close(trickle[i]);
				trickle[i] = -1;
			}
			if (silent[i] < 0)
				silent[i] = unix_dial(argv[i + 1], SOCK_NONBLOCK);
			if (trickle[i] < 0)
				trickle[i] = unix_dial(argv[i + 1], SOCK_NONBLOCK);
		}
		nanosleep(&half, NULL);
	}
}
