/* `paddockctl logs` end to end, but for the sockets' places: a fake System
 * Docker serving a long framed log, paddock-services' answer (a child, as
 * in the appliance) and paddockctl's reader writing to a file.  A log of
 * LOG_BYTES (well past the 1 MiB that once ended the answer) arrives
 * whole, and the answering child's memory does not grow with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "control.h"
#include "ctl_client.h"
#include "services_answers.h"
#include "../../builder/tests/testutil.h"

SCRATCH_GROUP("logs-stream")

#define LOG_BYTES (24u << 20)
#define FRAME (32u << 10)

/* Byte i of the log: lines of letters. */
static char log_byte(size_t i)
{
	return i % 64 == 63 ? '\n' : (char)('a' + i % 26);
}

static int listen_at(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void write_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	while (len) {
		ssize_t n = write(fd, c, len);
		if (n <= 0)
			return;
		c += n;
		len -= (size_t)n;
	}
}

/* The fake System Docker: one request, answered with the log in frames
 * (stdout and stderr by turns), or a 404 for another container. */
static void *docker_thread(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	char req[4096];
	size_t have = 0;
	ssize_t n;
	while (fd >= 0 && have < sizeof(req) - 1 && (n = read(fd, req + have, sizeof(req) - 1 - have)) > 0) {
		have += (size_t)n;
		req[have] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[have] = '\0';
	if (fd >= 0 && strstr(req, "GET /v1.41/containers/big/logs?stdout=1&stderr=1 ")) {
		size_t frames = LOG_BYTES / FRAME;
		char head[256], *frame = malloc(8 + FRAME);
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", frames * (8 + FRAME));
		write_all(fd, head, strlen(head));
		for (size_t f = 0; frame && f < frames; f++) {
			unsigned char h[8] = { (unsigned char)(1 + f % 2), 0, 0, 0, (unsigned char)(FRAME >> 24),
					       (unsigned char)(FRAME >> 16), (unsigned char)(FRAME >> 8),
					       (unsigned char)FRAME };
			memcpy(frame, h, 8);
			for (size_t i = 0; i < FRAME; i++)
				frame[8 + i] = log_byte(f * FRAME + i);
			write_all(fd, frame, 8 + FRAME);
		}
		free(frame);
	} else if (fd >= 0) {
		const char *b = "{\"message\":\"No such container: gone\"}";
		char head[256];
		snprintf(head, sizeof(head), "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(b));
		write_all(fd, head, strlen(head));
		write_all(fd, b, strlen(b));
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

struct client {
	char sock[256];
	const char *req;
	int out;
	int r;
	char *msg;
};

static void *client_thread(void *arg)
{
	struct client *c = arg;
	struct perr e = PERR_INIT;
	c->r = ctl_ask_to(c->sock, c->req, c->out, &e);
	c->msg = e.msg ? strdup(e.msg) : NULL;
	perr_clear(&e);
	return NULL;
}

/* paddockctl asks req of paddock-services, whose answer comes from the
 * fake Docker; the client's output goes to out.  Returns the client's
 * result and the answering child's peak memory in KiB. */
static int ask_logs(const char *req, int out, long *ret_child_kib, char **ret_msg)
{
	char dsock[256], csock[256], line[CONTROL_MAX_REQUEST + 1] = "";
	snprintf(dsock, sizeof(dsock), "%s/docker.sock", dir);
	snprintf(csock, sizeof(csock), "%s/services.sock", dir);
	int dl = listen_at(dsock), cl = listen_at(csock);
	pthread_t dt, ct;
	struct client c = { .req = req, .out = out };
	snprintf(c.sock, sizeof(c.sock), "%s", csock);
	assert_int_equal(pthread_create(&dt, NULL, docker_thread, &dl), 0);
	assert_int_equal(pthread_create(&ct, NULL, client_thread, &c), 0);

	/* paddock-services: the request line, then the answer by a child */
	int fd = accept(cl, NULL, NULL);
	assert_true(fd >= 0);
	for (size_t k = 0; k < sizeof(line) - 1 && read(fd, line + k, 1) == 1 && line[k] != '\n'; k++)
		;
	line[strcspn(line, "\n")] = '\0';
	char *name = NULL;
	unsigned lines = 0;
	assert_int_equal(control_parse(line, &name, &lines), CONTROL_LOGS);
	struct answers a = { .docker_sock = dsock };
	struct control_client cc = { .fd = fd };
	answers_request(&a, &cc, CONTROL_LOGS, name, lines);
	free(name);
	assert_true(a.pid[0] > 0);
	struct rusage ru;
	int status;
	assert_int_equal(wait4(a.pid[0], &status, 0, &ru), a.pid[0]);
	assert_true(WIFEXITED(status));
	pthread_join(ct, NULL);
	pthread_join(dt, NULL);
	close(dl);
	close(cl);
	*ret_child_kib = ru.ru_maxrss;
	*ret_msg = c.msg;
	return c.r;
}

static void a_long_log_arrives_whole_in_bounded_memory(void **state)
{
	(void)state;
	char path[256], *msg = NULL;
	long child_kib = 0;
	struct rusage self;
	snprintf(path, sizeof(path), "%s/out", dir);
	int out = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(out >= 0);
	getrusage(RUSAGE_SELF, &self);
	int r = ask_logs("logs big 0", out, &child_kib, &msg);
	if (r < 0)
		fail_msg("paddockctl logs: %s", msg ? msg : "?");
	free(msg);

	/* every byte, in order */
	struct stat st;
	assert_int_equal(fstat(out, &st), 0);
	assert_int_equal((size_t)st.st_size, LOG_BYTES);
	assert_int_equal(lseek(out, 0, SEEK_SET), 0);
	static char buf[1 << 16];
	size_t off = 0;
	ssize_t n;
	while ((n = read(out, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++, off++)
			if (buf[i] != log_byte(off))
				fail_msg("byte %zu of the log differs", off);
	close(out);

	/* the child that answered held no copy of the log: its peak is the
	 * process it was forked from (this test's), plus buffers */
	long grown = child_kib - self.ru_maxrss;
	if (grown > (long)(LOG_BYTES >> 10) / 2)
		fail_msg("the answering child grew by %ld KiB for a %u KiB log", grown, LOG_BYTES >> 10);
}

static void an_error_is_the_answer(void **state)
{
	(void)state;
	char *msg = NULL;
	long kib;
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(ask_logs("logs gone 10", pipefd[1], &kib, &msg), -EIO);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "No such container: gone"));
	free(msg);
	close(pipefd[1]);
	char c;
	assert_int_equal(read(pipefd[0], &c, 1), 0);     /* nothing written to stdout */
	close(pipefd[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_long_log_arrives_whole_in_bounded_memory),
		cmocka_unit_test(an_error_is_the_answer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
