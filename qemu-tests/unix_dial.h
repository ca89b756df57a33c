/* unix_dial: connects to a unix stream socket; the guest-side helpers the
 * QEMU tests build (slow_client.c, engine_proxy.c) include it. */
#ifndef PADDOCK_QEMU_UNIX_DIAL_H
#define PADDOCK_QEMU_UNIX_DIAL_H

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* flags: added to SOCK_STREAM (SOCK_NONBLOCK, or 0).  -1 on failure. */
static inline int unix_dial(const char *path, int flags)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

#endif
