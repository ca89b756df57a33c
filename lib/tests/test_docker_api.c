/* docker_api against a fake Engine API: a thread serving canned answers on
 * a unix socket in a temporary directory; each test gets a client open on
 * it (f->d). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "docker_api.h"
#include "strbuf.h"

struct fake {
	char dir[64];
	char sock[100];
	int lfd;
	volatile int stop;
	pthread_t thr;
	struct docker *d;       /* the client under test */
	/* last request seen */
	char *method, *path, *auth;
	size_t body_len;
	int requests;
};

static void reply(int fd, const char *status, const char *body, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n"
		       "Content-Type: application/json\r\n\r\n", status, len);
	sb_add(&sb, body, len);
	for (size_t off = 0; off < sb.len;) {
		ssize_t n = write(fd, sb.s + off, sb.len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	sb_free(&sb);
}

static void serve_one(struct fake *f, int fd)
{
	struct strbuf in = STRBUF_INIT;
	char buf[4096], *hdr_end, *cl, *sp1, *sp2;
	size_t need = 0, body_len;
	int has_bad;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		sb_add(&in, buf, (size_t)n);
		hdr_end = in.s ? strstr(in.s, "\r\n\r\n") : NULL;
		if (hdr_end) {
			cl = strcasestr(in.s, "Content-Length:");
			need = (size_t)(hdr_end + 4 - in.s) + (cl && cl < hdr_end ? strtoul(cl + 15, NULL, 10) : 0);
			if (in.len >= need)
				break;
		}
	}
	if (!in.s || !(hdr_end = strstr(in.s, "\r\n\r\n"))) {
		sb_free(&in);
		return;
	}
	body_len = in.len - (size_t)(hdr_end + 4 - in.s);
	has_bad = memmem(hdr_end + 4, body_len, "BAD", 3) != NULL;
	sp1 = strchr(in.s, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	free(f->method);
	free(f->path);
	f->method = strndup(in.s, (size_t)(sp1 - in.s));
	f->path = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	f->body_len = body_len;
	f->requests++;
	free(f->auth);
	f->auth = NULL;
	char *ah = strcasestr(in.s, "\r\nX-Registry-Auth: ");
	if (ah && ah < hdr_end)
		f->auth = strndup(ah + 19, strcspn(ah + 19, "\r"));

	const char *m = f->method, *p = f->path;
#define IS(meth, pth) (!strcmp(m, meth) && !strcmp(p, "/v1.41" pth))
	if (IS("GET", "/_ping"))
		reply(fd, "200 OK", "OK", 2);
	else if (IS("POST", "/images/load?quiet=1")) {
		const char *ok = "{\"stream\":\"Loaded image: paddock/base:1\\n\"}\n";
		const char *bad = "{\"errorDetail\":{\"message\":\"unexpected EOF\"},\"error\":\"unexpected EOF\"}\n";
		reply(fd, "200 OK", has_bad ? bad : ok, strlen(has_bad ? bad : ok));
	} else if (IS("POST", "/containers/create?name=svc")) {
		const char *b = "{\"Id\":\"abc123\",\"Warnings\":[]}";
		reply(fd, "201 Created", b, strlen(b));
	} else if (IS("POST", "/containers/create?name=dup")) {
		const char *b = "{\"message\":\"Conflict. The container name \\\"/dup\\\" is already in use\"}";
		reply(fd, "409 Conflict", b, strlen(b));
	} else if (IS("POST", "/containers/abc123/start") || IS("DELETE", "/containers/abc123?force=1&v=1") ||
		   IS("POST", "/containers/abc123/kill?signal=SIGTERM"))
		reply(fd, "204 No Content", "", 0);
	else if (IS("POST", "/containers/abc123/stop?t=5"))
		reply(fd, "304 Not Modified", "", 0);
	else if (IS("GET", "/containers/abc123/json")) {
		const char *b = "{\"Id\":\"abc123\",\"RestartCount\":2,\"State\":{\"Status\":\"running\","
				"\"Running\":true,\"Pid\":42,\"ExitCode\":0,\"StartedAt\":\"2026-11-22T10:00:00Z\"}}";
		reply(fd, "200 OK", b, strlen(b));
	} else if (IS("POST", "/containers/slow/wait")) {
		/* never answers: holds until the client goes (or 10 s) */
		struct pollfd pf = { fd, POLLIN, 0 };
		poll(&pf, 1, 10000);
	} else if (IS("POST", "/containers/abc123/wait"))
		reply(fd, "200 OK", "{\"StatusCode\":3}", 16);
	else if (IS("POST", "/images/create?fromImage=reg.test%3A5000%2Fok%3A1") ||
		 IS("POST", "/images/create?fromImage=reg.test%3A5000%2Fok%3Alatest")) {
		const char *b = "{\"status\":\"Pulling from ok\"}\n{\"status\":\"Digest: sha256:00\"}\n";
		reply(fd, "200 OK", b, strlen(b));
	} else if (IS("POST", "/images/create?fromImage=reg.test%3A5000%2Fbadpass%3A1")) {
		const char *b = "{\"message\":\"Head \\\"https://reg.test:5000/v2/badpass/manifests/1\\\": no basic auth credentials\"}";
		reply(fd, "500 Internal Server Error", b, strlen(b));
	} else if (IS("POST", "/images/create?fromImage=reg.test%3A5000%2Fgone%3A1")) {
		const char *b = "{\"message\":\"Get \\\"https://reg.test:5000/v2/\\\": dial tcp 10.0.2.2:5000: connect: connection refused\"}";
		reply(fd, "500 Internal Server Error", b, strlen(b));
	} else if (IS("POST", "/images/create?fromImage=reg.test%3A5000%2Fmidway%3A1")) {
		const char *b = "{\"status\":\"Pulling\"}\n{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n";
		reply(fd, "200 OK", b, strlen(b));
	} else if (IS("GET", "/containers/abc123/logs?stdout=1&stderr=1&tail=10")) {
		static const char framed[] = "\x01\0\0\0\0\0\0\x06hello\n\x02\0\0\0\0\0\0\x04" "err\n";
		reply(fd, "200 OK", framed, sizeof(framed) - 1);
	} else {
		const char *b = "{\"message\":\"No such container: missing\"}";
		reply(fd, "404 Not Found", b, strlen(b));
	}
	sb_free(&in);
}

static void *serve(void *arg)
{
	struct fake *f = arg;
	while (!f->stop) {
		struct pollfd p = { f->lfd, POLLIN, 0 };
		if (poll(&p, 1, 50) <= 0)
			continue;
		int fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		serve_one(f, fd);
		close(fd);
	}
	return NULL;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strcpy(f->dir, "/tmp/paddock-dockerapi-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/d.sock", f->dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->sock);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(pthread_create(&f->thr, NULL, serve, f), 0);
	assert_int_equal(docker_open(f->sock, &f->d, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	docker_close(f->d);
	f->stop = 1;
	pthread_join(f->thr, NULL);
	close(f->lfd);
	unlink(f->sock);
	rmdir(f->dir);
	free(f->method);
	free(f->path);
	free(f->auth);
	free(f);
	return 0;
}

static void ping_and_lifecycle(void **state)
{
	struct fake *f = *state;
	struct docker *d = f->d;
	struct perr e = PERR_INIT;
	struct docker_state st;
	char *id = NULL;
	int code = -1;

	assert_int_equal(docker_ping(d, &e), 0);
	assert_int_equal(docker_container_create(d, "svc", "{\"Image\":\"x\"}", &id, &e), 0);
	assert_string_equal(id, "abc123");
	assert_string_equal(f->method, "POST");
	assert_int_equal(f->body_len, strlen("{\"Image\":\"x\"}"));
	assert_int_equal(docker_container_start(d, id, &e), 0);
	assert_int_equal(docker_container_inspect(d, id, &st, &e), 0);
	assert_string_equal(st.status, "running");
	assert_true(st.running);
	assert_int_equal(st.pid, 42);
	assert_int_equal(st.restart_count, 2);
	assert_string_equal(st.started_at, "2026-11-22T10:00:00Z");
	docker_state_free(&st);
	assert_int_equal(docker_container_kill(d, id, "SIGTERM", &e), 0);
	assert_int_equal(docker_container_stop(d, id, 5, &e), 0); /* 304: already stopped */
	assert_int_equal(docker_container_wait(d, id, &code, &e), 0);
	assert_int_equal(code, 3);
	assert_int_equal(docker_container_remove(d, id, true, &e), 0);
	assert_string_equal(f->method, "DELETE");
	assert_null(e.msg);
	free(id);
}

static void errors_carry_daemon_message(void **state)
{
	struct fake *f = *state;
	struct docker *d = f->d, *nowhere = NULL;
	struct perr e = PERR_INIT;
	struct docker_state st;
	char *id = NULL;

	assert_int_equal(docker_container_create(d, "dup", "{}", &id, &e), -EEXIST);
	assert_null(id);
	assert_non_null(strstr(e.msg, "already in use"));
	perr_clear(&e);
	assert_int_equal(docker_container_inspect(d, "missing", &st, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "No such container: missing"));
	perr_clear(&e);

	assert_int_equal(docker_open("/nonexistent/paddock.sock", &nowhere, &e), 0);
	assert_int_equal(docker_ping(nowhere, &e), -ECONNREFUSED);
	assert_non_null(e.msg);
	perr_clear(&e);
	docker_close(nowhere);
}

static void load_streams_file_and_reports_error(void **state)
{
	struct fake *f = *state;
	struct docker *d = f->d;
	struct perr e = PERR_INIT;
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/img.tar", f->dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 10000; i++)
		fputs("0123456789abcdef0123456789abcdef\n", fp); /* 330 kB: several reads */
	fclose(fp);
	assert_int_equal(docker_image_load(d, path, &e), 0);
	assert_int_equal(f->body_len, 330000);

	fp = fopen(path, "wb");
	fputs("BAD tarball", fp);
	fclose(fp);
	assert_int_equal(docker_image_load(d, path, &e), -EIO);
	assert_non_null(strstr(e.msg, "unexpected EOF"));
	perr_clear(&e);
	unlink(path);
	assert_int_equal(docker_image_load(d, path, &e), -ENOENT);
	perr_clear(&e);
}

static void logs_are_demultiplexed(void **state)
{
	struct fake *f = *state;
	struct docker *d = f->d;
	struct perr e = PERR_INIT;
	char *logs = NULL;
	size_t len = 0;

	assert_int_equal(docker_container_logs(d, "abc123", 10, &logs, &len, &e), 0);
	assert_string_equal(logs, "hello\nerr\n");
	assert_int_equal(len, 10);
	free(logs);
}

static int to_sb(void *arg, const char *data, size_t len)
{
	sb_add(arg, data, len);
	return 0;
}

static void logs_stream_in_pieces(void **state)
{
	struct fake *f = *state;
	struct perr e = PERR_INIT;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(docker_container_logs_stream(f->d, "abc123", 10, to_sb, &sb, &e), 0);
	assert_int_equal(sb.len, 10);
	assert_memory_equal(sb.s, "hello\nerr\n", 10);
	sb_free(&sb);
	assert_int_equal(docker_container_logs_stream(f->d, "missing", 10, to_sb, &sb, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "No such container: missing"));
	assert_int_equal(sb.len, 0);
	perr_clear(&e);
	sb_free(&sb);

	/* byte by byte: frames split anywhere; text that is not framed */
	static const char framed[] = "\x01\0\0\0\0\0\0\x06hello\n\x02\0\0\0\0\0\0\x04" "err\n";
	struct log_demux m = LOG_DEMUX_INIT;
	for (size_t i = 0; i < sizeof(framed) - 1; i++)
		assert_int_equal(log_demux_feed(&m, framed + i, 1, to_sb, &sb), 0);
	assert_int_equal(log_demux_end(&m, to_sb, &sb), 0);
	assert_int_equal(sb.len, 10);
	assert_memory_equal(sb.s, "hello\nerr\n", 10);
	sb_free(&sb);
	struct log_demux t = LOG_DEMUX_INIT;
	assert_int_equal(log_demux_feed(&t, "\x01\0plain", 7, to_sb, &sb), 0);
	assert_int_equal(log_demux_feed(&t, " text\n", 6, to_sb, &sb), 0);
	assert_int_equal(log_demux_end(&t, to_sb, &sb), 0);
	assert_int_equal(sb.len, 13);
	assert_memory_equal(sb.s, "\x01\0plain text\n", 13);
	sb_free(&sb);
	struct log_demux short_ = LOG_DEMUX_INIT;
	assert_int_equal(log_demux_feed(&short_, "\x02\0", 2, to_sb, &sb), 0);
	assert_int_equal(log_demux_end(&short_, to_sb, &sb), 0);
	assert_int_equal(sb.len, 2);
	sb_free(&sb);
}

static void pull_sends_auth_and_classifies(void **state)
{
	struct fake *f = *state;
	struct docker *d = f->d;
	struct perr e = PERR_INIT;
	enum docker_pull_fail c = DOCKER_PULL_AUTH;

	assert_int_equal(docker_image_pull(d, "reg.test:5000/ok:1", "eyJ1c2VybmFtZSI6InUifQ==", &c, &e), 0);
	assert_string_equal(f->auth, "eyJ1c2VybmFtZSI6InUifQ==");
	assert_int_equal(c, DOCKER_PULL_OTHER);
	/* no tag: :latest, never every tag */
	assert_int_equal(docker_image_pull(d, "reg.test:5000/ok", NULL, &c, &e), 0);
	assert_null(f->auth);
	assert_int_equal(docker_image_pull(d, "reg.test:5000/badpass:1", "eA==", &c, &e), -EIO);
	assert_int_equal(c, DOCKER_PULL_AUTH);
	assert_non_null(strstr(e.msg, "no basic auth credentials"));
	assert_null(strstr(e.msg, "eA=="));
	perr_clear(&e);
	assert_int_equal(docker_image_pull(d, "reg.test:5000/gone:1", NULL, &c, &e), -EIO);
	assert_int_equal(c, DOCKER_PULL_UNREACHABLE);
	perr_clear(&e);
	/* a 200 whose stream ends in an error */
	assert_int_equal(docker_image_pull(d, "reg.test:5000/midway:1", NULL, &c, &e), -EIO);
	assert_int_equal(c, DOCKER_PULL_NOT_FOUND);
	assert_string_equal(e.msg, "manifest unknown");
	perr_clear(&e);
	assert_int_equal(docker_image_pull(d, "bad ref", NULL, &c, &e), -EINVAL);
	perr_clear(&e);
}

static volatile sig_atomic_t stop_flag;

static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* A request the daemon sits on ends within about a second of the flag
 * being set by a signal handler, not at the minute's timeout. */
static void a_set_flag_cancels_a_request(void **state)
{
	struct fake *f = *state;
	struct perr err = PERR_INIT;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 300000 } };
	struct timespec t0, t1;
	int code = 0;

	stop_flag = 0;
	sigaction(SIGALRM, &sa, NULL);
	docker_set_cancel(f->d, &stop_flag);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	setitimer(ITIMER_REAL, &it, NULL);
	assert_int_equal(docker_container_wait(f->d, "slow", &code, &err), -ECANCELED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(stop_flag);
	assert_true(t1.tv_sec - t0.tv_sec < 4);
	perr_clear(&err);
	/* cleared, the client works again */
	docker_set_cancel(f->d, NULL);
	assert_int_equal(docker_container_wait(f->d, "abc123", &code, &err), 0);
	assert_int_equal(code, 3);
}

static void pull_failures_are_classified(void **state)
{
	(void)state;
	assert_int_equal(docker_pull_classify(401, ""), DOCKER_PULL_AUTH);
	assert_int_equal(docker_pull_classify(500, "Get \"https://r:5000/v2/x/manifests/1\": unauthorized: "
						     "authentication required"), DOCKER_PULL_AUTH);
	assert_int_equal(docker_pull_classify(500, "Get \"https://r:5000/v2/\": x509: certificate signed by "
						     "unknown authority"), DOCKER_PULL_TLS);
	assert_int_equal(docker_pull_classify(500, "Get \"https://r:5000/v2/\": dial tcp: lookup r: no such host"),
			 DOCKER_PULL_UNREACHABLE);
	assert_int_equal(docker_pull_classify(500, "Get \"https://r:5000/v2/\": net/http: request canceled while "
						     "waiting for connection (Client.Timeout exceeded while awaiting headers)"),
			 DOCKER_PULL_UNREACHABLE);
	assert_int_equal(docker_pull_classify(404, "manifest for r:5000/x:1 not found: manifest unknown"),
			 DOCKER_PULL_NOT_FOUND);
	assert_int_equal(docker_pull_classify(500, "something else"), DOCKER_PULL_OTHER);
	assert_string_equal(docker_pull_fail_name(DOCKER_PULL_AUTH), "wrong credentials");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ping_and_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_carry_daemon_message, setup, teardown),
		cmocka_unit_test_setup_teardown(load_streams_file_and_reports_error, setup, teardown),
		cmocka_unit_test_setup_teardown(logs_are_demultiplexed, setup, teardown),
		cmocka_unit_test_setup_teardown(logs_stream_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(pull_sends_auth_and_classifies, setup, teardown),
		cmocka_unit_test_setup_teardown(a_set_flag_cancels_a_request, setup, teardown),
		cmocka_unit_test(pull_failures_are_classified),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
