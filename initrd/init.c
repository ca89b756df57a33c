/* paddock init: PID 1 of the appliance.
 *
 * Stages, each with one console line: init, root (move into tmpfs and
 * re-exec), mounts, sysctl, modules, coldplug, hostname, network, then
 * System Docker, the bundled images and the os-services, supervised until
 * a power-off request (SIGTERM/SIGUSR2/SIGPWR, the ACPI power button,
 * `paddockctl poweroff`) or a reboot request (SIGINT from Ctrl-Alt-Del,
 * `paddockctl reboot`). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "console.h"
#include "control.h"
#include "docker_api.h"
#include "mounts.h"
#include "network.h"
#include "nodecfg.h"
#include "pid1.h"
#include "powerbutton.h"
#include "requests.h"
#include "run.h"
#include "services.h"
#include "shutdown.h"
#include "supervise.h"
#include "sysctl.h"

#define FATAL_REBOOT_DELAY 30

/* A shell on the console, only when the cluster file allows it. */
static void debug_shell(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		run_child_reset();
		setsid();
		int fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		execl("/bin/sh", "sh", NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

/* A stage init cannot go on without: say so, then shell or reboot. */
static void fatal(struct init *in, const char *stage, const struct perr *err)
{
	stage_failed(stage, "%s", err->msg ? err->msg : "?");
	if (in && in->debug_shell) {
		console_line("debug shell (boot.debug_shell=true); exit it to reboot");
		debug_shell();
	} else {
		console_line("rebooting in %d s", FATAL_REBOOT_DELAY);
		sleep_s(FATAL_REBOOT_DELAY);
	}
	sync();
	reboot(RB_AUTOBOOT);
	_exit(1);
}

/* The value of KEY=VALUE on the kernel command line (heap), "" for a bare
 * KEY, or NULL. */
static char *cmdline_get(const char *key)
{
	FILE *f = fopen("/proc/cmdline", "re");
	char *line = NULL, *tok, *save = NULL, *found = NULL;
	size_t cap = 0, kl = strlen(key);

	if (!f)
		return NULL;
	if (getline(&line, &cap, f) > 0)
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			if (!strncmp(tok, key, kl) && (tok[kl] == '=' || !tok[kl])) {
				free(found);
				found = strdup(tok[kl] ? tok + kl + 1 : "");
			}
	free(line);
	fclose(f);
	return found;
}

static void main_loop(struct init *in)
{
	for (;;) {
		struct pollfd p[2 + MAX_INPUTS + 64];
		size_t np = 0, nall;
		struct sv **all;
		double now = boot_seconds(), next = sv_tick(now);
		int timeout = 1000;

		if (in->shutdown)
			shutdown_now(in);
		boot_advance(in, now);
		all = sv_all(&nall); /* after boot_advance(): registering may move the table */
		if (in->phase == PH_DOCKER)
			timeout = 100;
		if (next > 0 && (next - now) * 1000 < timeout)
			timeout = next <= now ? 0 : (int)((next - now) * 1000) + 1;

		p[np++] = (struct pollfd){ in->sfd, POLLIN, 0 };
		p[np++] = (struct pollfd){ in->cfd, POLLIN, 0 };
		for (size_t i = 0; i < in->ninputs; i++)
			p[np++] = (struct pollfd){ in->inputs[i], POLLIN, 0 };
		for (size_t i = 0; i < nall && np < sizeof(p) / sizeof(p[0]); i++)
			if (all[i]->ready_fd >= 0)
				p[np++] = (struct pollfd){ all[i]->ready_fd, POLLIN, 0 };
		if (poll(p, np, timeout) < 0 && errno != EINTR)
			sleep_s(0.1);

		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(in->sfd, &si, sizeof(si)) == sizeof(si)) {
				switch (si.ssi_signo) {
				case SIGCHLD:
					break;
				case SIGINT:
					in->shutdown = RB_AUTOBOOT;
					break;
				default: /* SIGTERM, SIGUSR1, SIGUSR2, SIGPWR */
					in->shutdown = RB_POWER_OFF;
				}
			}
		}
		boot_reap(in);
		if (p[1].revents & POLLIN)
			requests_answer(in);
		for (size_t i = 2; i < np; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (i < 2 + in->ninputs) {
				if (power_button_pressed(p[i].fd)) {
					console_line("power button pressed");
					in->shutdown = RB_POWER_OFF;
				}
				continue;
			}
			struct sv *s = sv_find_ready_fd(p[i].fd);
			char c;
			if (!s)
				continue;
			if (read(p[i].fd, &c, 1) == 1) {
				sv_mark_ready(s);
				for (size_t k = 0; k < in->nsvcs; k++)
					if (in->svcs[k].sv == s && !in->svcs[k].announced) {
						in->svcs[k].announced = true;
						console_line("service %s running %.2f", s->name, boot_seconds());
					}
			} else {
				close(s->ready_fd); /* ended before ready; reaped soon */
				s->ready_fd = -1;
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct init in = { .sfd = -1, .cfd = -1 };
	struct perr err = PERR_INIT;
	sigset_t mask;
	size_t applied, skipped;
	char *name;

	(void)argc;
	if (getpid() != 1) {
		fprintf(stderr, "paddock-init: must run as PID 1 (use paddockctl)\n");
		return 2;
	}
	umask(022);
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);

	if (!getenv(ROOT_ENV)) {
		char t[32];
		stage_ok("init");
		snprintf(t, sizeof(t), "%.2f", boot_seconds());
		setenv("PADDOCK_INIT_SECS", t, 1);
		root_to_tmpfs(argv, &err);
		fatal(NULL, "root", &err);
	}
	if (getenv("PADDOCK_INIT_SECS"))
		stage_recorded("init", strtod(getenv("PADDOCK_INIT_SECS"), NULL));
	stage_ok("root");
	unsetenv(ROOT_ENV);
	unsetenv("PADDOCK_INIT_SECS");

	if (mounts_early(&err) < 0)
		fatal(NULL, "mounts", &err);
	stage_ok("mounts");

	/* signals arrive through a signalfd in the main loop */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGPWR);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	in.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (in.sfd < 0) {
		perr_set(&err, -errno, "signalfd: %s", strerror(errno));
		fatal(NULL, "mounts", &err);
	}

	if (nodecfg_load(NODECFG_PATH, &in.cfg, &err) < 0) {
		stage_failed("config", "%s; using DHCP and defaults", err.msg);
		perr_clear(&err);
	} else {
		stage_ok("config");
	}
	in.debug_shell = nodecfg_get(&in.cfg, "boot.debug_shell") &&
			 !strcmp(nodecfg_get(&in.cfg, "boot.debug_shell"), "true");

	if (sysctl_apply("/proc/sys", sysctl_hardening, &applied, &skipped, &err) < 0)
		stage_failed("sysctl", "%s", err.msg);
	else
		stage_ok("sysctl");
	perr_clear(&err);

	boot_modules();
	in.ninputs = power_buttons_open(in.inputs, MAX_INPUTS);

	name = nodecfg_get(&in.cfg, "node.name") ? strdup(nodecfg_get(&in.cfg, "node.name")) : cmdline_get("paddock.node");
	console_line("node %s", name ? name : "paddock");
	if (net_set_hostname(name ? name : "paddock", &err) < 0)
		stage_failed("hostname", "%s", err.msg);
	else
		stage_ok("hostname");
	free(name);
	perr_clear(&err);

	/* paddock.poweroff: a boot smoke test that stops after the basics */
	if ((name = cmdline_get("paddock.poweroff"))) {
		free(name);
		in.shutdown = RB_POWER_OFF;
		shutdown_now(&in);
	}

	/* paddock.shell: a console shell beside the boot, for debugging; only
	 * when the cluster file allows a debug shell */
	if (in.debug_shell && (name = cmdline_get("paddock.shell"))) {
		char *argv[] = { "/bin/sh", NULL };
		struct sv *sh = sv_add_program("console-shell", argv, NULL, SV_RESTART_ALWAYS);
		free(name);
		if (sh)
			sh->console = true;
		if (sh && sv_start(sh, boot_seconds(), &err) == 0)
			console_line("console shell started (paddock.shell)");
		perr_clear(&err);
	}

	boot_network(&in);

	in.cfd = control_listen(CONTROL_SOCK, &err);
	if (in.cfd < 0) {
		stage_failed("control", "%s", err.msg);
		perr_clear(&err);
	}

	if (services_load(SVCCONF_DIR, &in.svcs, &in.nsvcs, &err) < 0 ||
	    services_register(in.svcs, in.nsvcs, &err) < 0) {
		stage_failed("services", "%s", err.msg);
		perr_clear(&err);
		in.nsvcs = 0;
	}
	if (docker_open(SYSTEM_DOCKER_SOCK, &in.api, &err) < 0)
		fatal(&in, "system-docker", &err);
	docker_set_timeout(in.api, 2);
	boot_start_dockerd(&in, boot_seconds());
	main_loop(&in);
	return 0;
}
