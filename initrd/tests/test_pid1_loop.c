/* PID 1's main loop and shutdown, run as a plain process: signals through
 * a signalfd, reaping (orphans too, as a child subreaper), the power
 * button (a pipe carrying input events), the control socket under slow
 * clients, and the order of the way down with stand-ins for kill(-1),
 * unmounting and reboot(2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "console.h"
#include "control.h"
#include "mainloop.h"
#include "pid1.h"
#include "shutdown.h"
#include "supervise.h"

static char dir[] = "/tmp/paddock-pid1-XXXXXX";

/* --- console capture: stage lines go to stdout ------------------------ */

static char captured[1 << 16];
static int saved_stdout = -1;

static void capture(void)
{
	char path[64];
	int fd;

	fflush(stdout);
	snprintf(path, sizeof(path), "%s/console", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved_stdout = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
}

/* Ends the capture; the console text is in captured[]. */
static const char *captured_text(void)
{
	char path[64];
	ssize_t n;
	int fd;

	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	snprintf(path, sizeof(path), "%s/console", dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, captured, sizeof(captured) - 1);
	close(fd);
	captured[n > 0 ? n : 0] = '\0';
	return captured;
}

/* --- stand-ins for the machine ---------------------------------------- */

static char events[4096];
static int reboot_failures;

static void event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void event(const char *fmt, ...)
{
	size_t len = strlen(events);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(events + len, sizeof(events) - len, fmt, ap);
	va_end(ap);
	strncat(events, ";", sizeof(events) - strlen(events) - 1);
}

/* kill(-1) of the test: every process whose parent is this one */
static int fake_kill_all(int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	event("kill_all %s", sig == SIGKILL ? "KILL" : sig == SIGTERM ? "TERM" : "?");
	while (d && (de = readdir(d))) {
		char path[64], buf[512], *p;
		FILE *f;
		int pid = atoi(de->d_name), ppid = 0;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
			sscanf(p + 2, "%*c %d", &ppid);
		fclose(f);
		if (ppid == getpid())
			kill(pid, sig);
	}
	if (d)
		closedir(d);
	return 0;
}

static int fake_unmount_all(int *ret_left, struct perr *err)
{
	(void)err;
	event("unmount");
	*ret_left = 0;
	return 0;
}

static void fake_sync(void)
{
	event("sync");
}

static int fake_reboot(int how)
{
	event("reboot %s", shutdown_name(how));
	return reboot_failures-- > 0 ? -EPERM : 0;
}

static const struct pid1_sys fake_sys = { fake_kill_all, fake_unmount_all, fake_sync, fake_reboot };

/* --- fixtures ---------------------------------------------------------- */

static struct init in;

static int setup(void **state)
{
	struct perr err = PERR_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* orphans come to this process, as they come to PID 1 */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	in = (struct init){ .sfd = -1, .ctl = { .lfd = -1 }, .sys = &fake_sys,
			    .term_secs = 0.5, .kill_secs = 0.5, .retry_secs = 0.01 };
	in.sfd = pid1_signalfd(&err);
	assert_true(in.sfd >= 0);
	events[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	control_close(&in.ctl);
	for (size_t i = 0; i < in.ninputs; i++)
		close(in.inputs[i]);
	close(in.sfd);
	sv_reset();
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	strcpy(dir, "/tmp/paddock-pid1-XXXXXX");
	return 0;
}

/* Steps until cond holds or secs have passed. */
#define STEP_UNTIL(cond, secs)                                                     \
	do {                                                                       \
		double end_ = boot_seconds() + (secs);                             \
		while (!(cond) && boot_seconds() < end_)                           \
			pid1_step(&in, 50);                                        \
	} while (0)

/* --- tests ------------------------------------------------------------- */

static void signals_ask_as_busybox_init(void **state)
{
	static const struct { int sig, how; } want[] = {
		{ SIGTERM, RB_AUTOBOOT }, { SIGUSR2, RB_POWER_OFF }, { SIGUSR1, (int)RB_HALT_SYSTEM },
		{ SIGINT, RB_AUTOBOOT },  { SIGPWR, RB_POWER_OFF },  { SIGHUP, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(pid1_signal_request(want[i].sig), want[i].how);
		/* and through the loop, as a signal really arrives */
		in.shutdown = 0;
		kill(getpid(), want[i].sig);
		pid1_step(&in, 200);
		assert_int_equal(in.shutdown, want[i].how);
	}
	assert_int_equal(pid1_signal_request(SIGCHLD), 0);
}

static void loop_reaps_services_and_orphans(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct sv *s = sv_add_program("crashy", argv, "/dev/null", SV_RESTART_ALWAYS);
	pid_t mid;

	(void)state;
	assert_int_equal(sv_start(s, boot_seconds(), NULL), 0);
	/* a child that leaves an orphan behind: the orphan comes to us */
	mid = fork();
	if (mid == 0) {
		if (fork() == 0) {
			usleep(100 * 1000);
			_exit(0);
		}
		_exit(0);
	}
	capture();
	STEP_UNTIL(s->state == SV_BACKOFF && waitpid(-1, NULL, WNOHANG) < 0, 5.0);
	assert_non_null(strstr(captured_text(), "paddock: service crashy stopped; restart 1 in 1 s\n"));
	assert_int_equal(s->state, SV_BACKOFF);
	assert_true(WIFEXITED(s->last_status) && WEXITSTATUS(s->last_status) == 3);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD); /* the orphan too was reaped, no zombie left */
	/* the back-off over, the loop starts it again */
	STEP_UNTIL(s->restarts == 1, 3.0);
	assert_int_equal(s->restarts, 1);
}

static void press(int fd)
{
	struct input_event ev[2] = { { .type = EV_KEY, .code = KEY_POWER, .value = 1 },
				     { .type = EV_SYN, .code = SYN_REPORT } };
	assert_int_equal(write(fd, ev, sizeof(ev)), (ssize_t)sizeof(ev));
}

static void power_button_powers_off(void **state)
{
	struct input_event other = { .type = EV_KEY, .code = KEY_VOLUMEUP, .value = 1 };
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	in.inputs[in.ninputs++] = p[0];
	assert_int_equal(write(p[1], &other, sizeof(other)), (ssize_t)sizeof(other));
	pid1_step(&in, 100);
	assert_int_equal(in.shutdown, 0);
	capture();
	press(p[1]);
	pid1_step(&in, 1000);
	assert_int_equal(in.shutdown, RB_POWER_OFF);
	assert_non_null(strstr(captured_text(), "paddock: power button pressed\n"));
	close(p[1]);
}

static int dial(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(a.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* What the server sent until it closed (a close with the request still
 * unread shows as a reset); NULL if it did not close within a second. */
static char *answer(int fd)
{
	static char buf[4096];
	struct timeval tv = { 1, 0 };
	size_t len = 0;
	ssize_t n = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return n == 0 || (n < 0 && errno == ECONNRESET) ? buf : NULL;
}

/* a macro, so that a failure names the line of the call */
#define expect_answer(fd, want)                         \
	do {                                            \
		const char *got_ = answer(fd);          \
		assert_non_null(got_);                  \
		assert_string_equal(got_, (want));      \
	} while (0)

static void control_never_waits_for_a_client(void **state)
{
	struct perr err = PERR_INIT;
	char sock[96], *text;
	int silent, trickle, ok, p[2], held[CONTROL_MAX_CLIENTS];
	double t0;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/init.sock", dir);
	assert_int_equal(control_listen(&in.ctl, sock, &err), 0);
	in.ctl.secs = 0.4;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	in.inputs[in.ninputs++] = p[0];
	sv_add_program("svc", (char *[]){ "/bin/true", NULL }, NULL, SV_RESTART_NO);

	/* one client says nothing, one sends a byte at a time, never a newline */
	silent = dial(sock);
	trickle = dial(sock);
	assert_int_equal(write(trickle, "sta", 3), 3);
	pid1_step(&in, 50);
	/* meanwhile a status request is answered in the pass it arrives... */
	ok = dial(sock);
	assert_int_equal(write(ok, "status\n", 7), 7);
	assert_int_equal(write(trickle, "t", 1), 1);
	t0 = boot_seconds();
	pid1_step(&in, 1000);
	assert_true(boot_seconds() - t0 < 0.3);
	text = answer(ok);
	assert_non_null(text);
	assert_non_null(strstr(text, "service\tsvc\twaiting\t0\t0\t0.00\n"));
	close(ok);
	/* ...and the power button too */
	capture();
	press(p[1]);
	t0 = boot_seconds();
	pid1_step(&in, 1000);
	captured_text();
	assert_true(boot_seconds() - t0 < 0.3);
	assert_int_equal(in.shutdown, RB_POWER_OFF);
	in.shutdown = 0;

	/* at their deadline the slow ones are dropped, whatever they did */
	STEP_UNTIL(control_next_deadline(&in.ctl) == 0, 2.0);
	expect_answer(silent, "");
	expect_answer(trickle, "");
	close(silent);
	close(trickle);

	/* all slots held: the next client hears so at once */
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		held[i] = dial(sock);
	pid1_step(&in, 50);
	ok = dial(sock);
	pid1_step(&in, 50);
	expect_answer(ok, "error\tbusy, try again\n");
	close(ok);
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		close(held[i]);

	/* a request ended by the client's shutdown(2) rather than a newline */
	ok = dial(sock);
	assert_int_equal(write(ok, "status", 6), 6);
	shutdown(ok, SHUT_WR);
	pid1_step(&in, 50);
	text = answer(ok);
	assert_non_null(text);
	assert_non_null(strstr(text, "service\tsvc\t"));
	close(ok);

	/* power requests */
	ok = dial(sock);
	assert_int_equal(write(ok, "reboot\n", 7), 7);
	STEP_UNTIL(in.shutdown, 1.0);
	expect_answer(ok, "ok\n");
	assert_int_equal(in.shutdown, RB_AUTOBOOT);
	close(ok);
	ok = dial(sock);
	assert_int_equal(write(ok, "logs sshd 10\n", 13), 13);
	pid1_step(&in, 50);
	expect_answer(ok, "error\tunknown request\n"); /* paddock-services' */
	close(ok);
	close(p[1]);
}

/* A supervised shell that logs its name to dir/stopped when SIGTERM comes
 * (stubborn: it ignores SIGTERM). */
static struct sv *service(const char *name, bool stubborn)
{
	char script[256];
	char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct sv *s;

	if (stubborn)
		snprintf(script, sizeof(script), "trap '' TERM; while :; do sleep 0.05; done");
	else
		snprintf(script, sizeof(script),
			 "trap 'echo %s >>%s/stopped; exit 0' TERM; while :; do sleep 0.05; done", name, dir);
	s = sv_add_program(name, argv, NULL, SV_RESTART_ALWAYS);
	assert_non_null(s);
	return s;
}

static void start(struct sv *s)
{
	assert_int_equal(sv_start(s, boot_seconds(), NULL), 0);
	usleep(100 * 1000); /* its trap set before the next one */
}

static const char *stopped_order(void)
{
	static char buf[64];
	char path[96];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/stopped", dir);
	f = fopen(path, "r");
	if (!f)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void shutdown_goes_down_in_order(void **state)
{
	struct sv *a, *b, *c, *deaf;
	const char *con;
	double t0;

	(void)state;
	/* registered in another order than started: the start order counts */
	c = service("c", false);
	b = service("b", false);
	a = service("a", false);
	start(a);
	start(b);
	start(c);
	in.shutdown = RB_POWER_OFF;
	reboot_failures = 2;
	capture();
	shutdown_run(&in);
	con = captured_text();
	assert_string_equal(stopped_order(), "c\nb\na\n");
	assert_non_null(strstr(con, "paddock: stopped a in"));
	assert_non_null(strstr(con, "paddock: stopped c in"));
	assert_true(strstr(con, "paddock: stopped c in") < strstr(con, "paddock: stopped b in"));
	assert_true(strstr(con, "paddock: stopped b in") < strstr(con, "paddock: stopped a in"));
	assert_string_equal(events, "kill_all TERM;kill_all KILL;sync;unmount;"
				    "reboot power off;reboot power off;reboot power off;");
	assert_non_null(strstr(con, "paddock: shutdown: power off requested"));
	assert_non_null(strstr(con, "paddock: services stopped ok"));
	assert_non_null(strstr(con, "paddock: unmount ok"));
	/* a reboot(2) that fails is said and tried again: PID 1 never exits */
	assert_non_null(strstr(con, "paddock: power off FAILED: Operation not permitted; trying again in 0 s\n"));
	assert_true(strstr(con, "services stopped ok") < strstr(con, "unmount ok"));

	/* one that ignores SIGTERM costs its bound, then the rest go on */
	sv_reset();
	events[0] = '\0';
	start(service("calm", false));
	deaf = service("deaf", true);
	deaf->stop_secs = 0.3;
	start(deaf);
	in.shutdown = (int)RB_HALT_SYSTEM;
	t0 = boot_seconds();
	capture();
	shutdown_run(&in);
	con = captured_text();
	assert_true(boot_seconds() - t0 < 0.3 + in.term_secs + in.kill_secs + 1.0);
	assert_non_null(strstr(con, "paddock: deaf did not stop within 0.3 s"));
	assert_non_null(strstr(con, "paddock: services stopped FAILED"));
	assert_string_equal(events, "kill_all TERM;kill_all KILL;sync;unmount;reboot halt;");
	assert_non_null(strstr(stopped_order(), "calm\n"));
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* SIGKILL took the deaf one */
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(signals_ask_as_busybox_init, setup, teardown),
		cmocka_unit_test_setup_teardown(loop_reaps_services_and_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(power_button_powers_off, setup, teardown),
		cmocka_unit_test_setup_teardown(control_never_waits_for_a_client, setup, teardown),
		cmocka_unit_test_setup_teardown(shutdown_goes_down_in_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
