#include "mainloop.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "boot.h"
#include "console.h"
#include "powerbutton.h"
#include "requests.h"
#include "shutdown.h"

int pid1_signal_request(int signo)
{
	switch (signo) {
	case SIGTERM:
	case SIGINT:
		return RB_AUTOBOOT;
	case SIGUSR2:
	case SIGPWR:
		return RB_POWER_OFF;
	case SIGUSR1:
		return (int)RB_HALT_SYSTEM;
	default:
		return 0;
	}
}

int pid1_signalfd(struct perr *err)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGPWR, SIGHUP };
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return perr_set(err, -errno, "signalfd: %s", strerror(errno));
	return fd;
}

/* Lowers *timeout_ms so that poll wakes up at deadline (absolute seconds). */
static void wake_by(int *timeout_ms, double deadline, double now)
{
	int ms;

	if (deadline <= 0)
		return;
	ms = deadline <= now ? 0 : (int)((deadline - now) * 1000) + 1;
	if (ms < *timeout_ms)
		*timeout_ms = ms;
}

void pid1_step(struct init *in, int max_ms)
{
	struct pollfd p[1 + MAX_INPUTS + 1 + CONTROL_MAX_CLIENTS];
	size_t np = 0, first_input, first_control;
	double now = boot_seconds();
	int timeout = max_ms;

	wake_by(&timeout, sv_tick(now), now);
	boot_advance(in, now);
	if (in->phase == PH_DOCKER && in->dockerd)
		wake_by(&timeout, now + 0.1, now);
	wake_by(&timeout, control_next_deadline(&in->ctl), now);

	p[np++] = (struct pollfd){ in->sfd, POLLIN, 0 };
	first_input = np;
	for (size_t i = 0; i < in->ninputs; i++)
		p[np++] = (struct pollfd){ in->inputs[i], POLLIN, 0 };
	first_control = np;
	np += control_pollfds(&in->ctl, p + np, sizeof(p) / sizeof(p[0]) - np);
	if (poll(p, np, timeout) < 0 && errno != EINTR)
		sleep_s(0.1);

	if (p[0].revents & POLLIN) {
		struct signalfd_siginfo si;
		while (read(in->sfd, &si, sizeof(si)) == sizeof(si)) {
			int how = pid1_signal_request((int)si.ssi_signo);
			if (how)
				in->shutdown = how;
		}
	}
	boot_reap(in);
	if (np > first_control)
		control_serve(&in->ctl, boot_seconds(), requests_answer, in);
	for (size_t i = first_input; i < first_control; i++)
		if ((p[i].revents & (POLLIN | POLLHUP)) && power_button_pressed(p[i].fd)) {
			console_line("power button pressed");
			in->shutdown = RB_POWER_OFF;
		}
}

void pid1_run(struct init *in)
{
	for (;;) {
		pid1_step(in, 1000);
		if (in->shutdown)
			shutdown_run(in);
	}
}
