/* serve/preflight: the port checks.  A port is taken while something
 * listens on it; connections of an earlier run that are only closing
 * (TIME_WAIT, after paddock serve answered its clients and stopped) do
 * not take it: MHD binds with SO_REUSEADDR, so the check must too, or a
 * restart is refused for a minute. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "serve/preflight.h"

static int listener(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	if (*port)
		sa.sin_port = htons((uint16_t)*port);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void port_taken_while_listening(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	int port = 0, fd = listener(&port);
	assert_int_equal(preflight_port(SOCK_STREAM, "127.0.0.1", port, "HTTP", &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "is already taken"));
	perr_clear(&err);
	close(fd);
	assert_int_equal(preflight_port(SOCK_STREAM, "127.0.0.1", port, "HTTP", &err), 0);
}

static void port_free_with_closing_connections(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int port = 0, lfd = listener(&port), c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a;
	char b;

	sa.sin_port = htons((uint16_t)port);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true((a = accept(lfd, NULL, NULL)) >= 0);
	close(lfd);
	/* the server side closes first, as after an answer: its end of the
	 * connection, on the port, goes to TIME_WAIT */
	close(a);
	assert_int_equal(read(c, &b, 1), 0);
	close(c);
	assert_int_equal(preflight_port(SOCK_STREAM, "127.0.0.1", port, "HTTP", &err), 0);
	perr_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_taken_while_listening),
		cmocka_unit_test(port_free_with_closing_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
