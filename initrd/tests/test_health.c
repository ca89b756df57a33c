/* health: the TCP check that makes a service "running" (sshd's: a
 * connection that gets "SSH-"), against local listeners that send a
 * banner, send another, send nothing, or are not there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "health.h"
#include "svcconf.h"

struct listener {
	int fd;
	unsigned port;
	const char *send;       /* NULL: accept and say nothing */
	bool accept;            /* false: listen only, never accept */
	pthread_t thr;
};

static void *serve(void *arg)
{
	struct listener *l = arg;
	int c = accept(l->fd, NULL, NULL);
	if (c < 0)
		return NULL;
	if (l->send)
		(void)!write(c, l->send, strlen(l->send));
	/* hold the connection until the client goes */
	struct pollfd p = { c, POLLIN, 0 };
	poll(&p, 1, 5000);
	close(c);
	return NULL;
}

static void listen_local(struct listener *l, const char *send, bool accept_it)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l->fd, 4), 0);
	assert_int_equal(getsockname(l->fd, (struct sockaddr *)&a, &len), 0);
	l->port = ntohs(a.sin_port);
	l->send = send;
	l->accept = accept_it;
	if (accept_it)
		assert_int_equal(pthread_create(&l->thr, NULL, serve, l), 0);
}

static void listener_end(struct listener *l)
{
	if (l->accept)
		pthread_join(l->thr, NULL);
	close(l->fd);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void a_banner_passes(void **state)
{
	(void)state;
	struct listener l;
	struct perr e = PERR_INIT;
	listen_local(&l, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", true);
	assert_int_equal(health_tcp_try("127.0.0.1", l.port, "SSH-", 2, &e), 0);
	listener_end(&l);
	/* a connection alone, when the spec names no banner */
	listen_local(&l, NULL, true);
	assert_int_equal(health_tcp_try("127.0.0.1", l.port, "", 2, &e), 0);
	listener_end(&l);
}

static void no_banner_fails(void **state)
{
	(void)state;
	struct listener l;
	struct perr e = PERR_INIT;
	/* a port that takes connections but says nothing (sshd's socket
	 * bound before it serves): not running yet */
	listen_local(&l, NULL, true);
	double t0 = mono();
	assert_int_equal(health_tcp_try("127.0.0.1", l.port, "SSH-", 0.3, &e), -ETIMEDOUT);
	assert_true(mono() - t0 < 2);
	assert_non_null(strstr(e.msg, "connected, but no 'SSH-'"));
	perr_clear(&e);
	listener_end(&l);
	/* listening, never accepting: the same */
	listen_local(&l, NULL, false);
	assert_int_equal(health_tcp_try("127.0.0.1", l.port, "SSH-", 0.3, &e), -ETIMEDOUT);
	perr_clear(&e);
	listener_end(&l);
	/* another protocol's greeting */
	listen_local(&l, "HTTP/1.1 400 Bad Request\r\n", true);
	assert_int_equal(health_tcp_try("127.0.0.1", l.port, "SSH-", 2, &e), -EPROTO);
	assert_non_null(strstr(e.msg, "answered 'HTTP', not 'SSH-'"));
	perr_clear(&e);
	listener_end(&l);
	/* nothing listening there (any more) */
	listen_local(&l, NULL, false);
	listener_end(&l);
	assert_int_equal(health_tcp_try("127.0.0.1", l.port, "SSH-", 1, &e), -ECONNREFUSED);
	perr_clear(&e);
}

static void spec_port_from_node_conf(void **state)
{
	(void)state;
	struct listener l;
	struct perr e = PERR_INIT;
	struct nodecfg cfg = { 0 };
	char port[16];
	listen_local(&l, "SSH-2.0-x\r\n", true);
	snprintf(port, sizeof(port), "%u", l.port);
	assert_int_equal(nodecfg_add(&cfg, "node.ssh_port", port), 0);
	assert_int_equal(health_check("tcp node.ssh_port SSH-", &cfg, 2, &e), 0);
	listener_end(&l);
	/* no such key: an error naming it, no try */
	assert_int_equal(health_check("tcp node.other_port SSH-", &cfg, 2, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "node.other_port"));
	perr_clear(&e);
	nodecfg_free(&cfg);

	struct svc_health h;
	assert_int_equal(svc_health_parse("tcp 2222 SSH-", &h, &e), 0);
	assert_int_equal(h.port, 2222);
	assert_null(h.port_key);
	assert_string_equal(h.banner, "SSH-");
	svc_health_free(&h);
	assert_int_equal(svc_health_parse("tcp 80", &h, &e), 0);
	assert_string_equal(h.banner, "");
	svc_health_free(&h);
	const char *bad[] = { "http 80", "tcp", "tcp ", "tcp 0", "tcp 70000", "tcp a/b SSH-", NULL };
	for (const char **b = bad; *b; b++) {
		if (svc_health_parse(*b, &h, &e) != -EINVAL)
			fail_msg("'%s' was accepted", *b);
		perr_clear(&e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_banner_passes),
		cmocka_unit_test(no_banner_fails),
		cmocka_unit_test(spec_port_from_node_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
