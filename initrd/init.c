/* paddock init: PID 1 of the appliance.
 *
 * Stages, each with one console line: init, root (move into tmpfs and
 * re-exec), mounts, sysctl, modules, coldplug, hostname, network, the
 * state disk (provision.h), then System Docker, paddock-services (the
 * bundled images and the os-services, servicesd.h) and
 * paddock-provisioner (etcd), supervised until asked to go down.  As
 * busybox init: SIGTERM (busybox `reboot`) reboots, SIGUSR2 (`poweroff`)
 * powers off, SIGUSR1 (`halt`) halts.  Also: SIGINT (Ctrl-Alt-Del) and
 * `paddockctl reboot` reboot; the ACPI power button, SIGPWR and
 * `paddockctl poweroff` power off.  SIGHUP does nothing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "console.h"
#include "control.h"
#include "kcmdline.h"
#include "mainloop.h"
#include "mounts.h"
#include "network.h"
#include "nodecfg.h"
#include "pid1.h"
#include "powerbutton.h"
#include "report_queue.h"
#include "run.h"
#include "shutdown.h"
#include "strv.h"
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
static void __attribute__((noreturn)) fatal(struct init *in, const char *stage, const struct perr *err)
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
	shutdown_reboot(&pid1_sys_real, RB_AUTOBOOT, SHUTDOWN_RETRY_SECS);
	for (;;) /* only a stand-in reboot returns */
		sleep_s(3600);
}

int main(int argc, char **argv)
{
	struct init in = { .sfd = -1, .ctl = { .lfd = -1 }, .sys = &pid1_sys_real,
			   .term_secs = SHUTDOWN_TERM_SECS, .kill_secs = SHUTDOWN_KILL_SECS,
			   .retry_secs = SHUTDOWN_RETRY_SECS };
	struct perr err = PERR_INIT;
	struct strv missing = STRV_INIT;
	size_t applied;
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
	double init_secs = getenv("PADDOCK_INIT_SECS") ? strtod(getenv("PADDOCK_INIT_SECS"), NULL) : 0;
	if (getenv("PADDOCK_INIT_SECS"))
		stage_recorded("init", init_secs);
	stage_ok("root");
	unsetenv(ROOT_ENV);
	unsetenv("PADDOCK_INIT_SECS");

	if (mounts_early(&err) < 0)
		fatal(NULL, "mounts", &err);
	/* paddock.report=URL: the stages go to that server too, from the
	 * queue /run now holds; "init" was printed before /run was there */
	if ((name = kcmdline_get("paddock.report"))) {
		free(name);
		if (report_queue_create(REPORT_QUEUE) == 0)
			(void)report_queue_append(REPORT_QUEUE, init_secs, "init", NULL);
	}
	stage_ok("mounts");

	/* signals arrive through a signalfd in the main loop; Ctrl-Alt-Del
	 * as SIGINT rather than an instant reset */
	signal(SIGPIPE, SIG_IGN);
	in.sfd = pid1_signalfd(&err);
	if (in.sfd < 0)
		fatal(NULL, "mounts", &err);
	reboot(RB_DISABLE_CAD);

	if (nodecfg_load(NODECFG_PATH, &in.cfg, &err) < 0) {
		stage_failed("config", "%s; using DHCP and defaults", err.msg);
		perr_clear(&err);
	} else {
		stage_ok("config");
	}
	in.debug_shell = nodecfg_get(&in.cfg, "boot.debug_shell") &&
			 !strcmp(nodecfg_get(&in.cfg, "boot.debug_shell"), "true");

	if (sysctl_apply("/proc/sys", sysctl_hardening, &applied, &missing, &err) < 0)
		stage_failed("sysctl", "%s", err.msg);
	else
		stage_ok("sysctl");
	perr_clear(&err);
	/* a kernel built without a feature has no key for it: say which */
	for (size_t i = 0; i < missing.n; i++)
		console_line("sysctl %s: not in this kernel, not applied", missing.v[i]);
	strv_clear(&missing);

	boot_modules();
	in.ninputs = power_buttons_open(in.inputs, MAX_INPUTS);

	name = nodecfg_get(&in.cfg, "node.name") ? strdup(nodecfg_get(&in.cfg, "node.name")) : kcmdline_get("paddock.node");
	console_line("node %s", name ? name : "paddock");
	if (net_set_hostname(name ? name : "paddock", &err) < 0)
		stage_failed("hostname", "%s", err.msg);
	else
		stage_ok("hostname");
	free(name);
	perr_clear(&err);

	/* paddock.poweroff: a boot smoke test that stops after the basics */
	if ((name = kcmdline_get("paddock.poweroff"))) {
		free(name);
		in.shutdown = RB_POWER_OFF;
		shutdown_run(&in);
	}

	/* paddock.shell: a console shell beside the boot, for debugging; only
	 * when the cluster file allows a debug shell */
	if (in.debug_shell && (name = kcmdline_get("paddock.shell"))) {
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
	boot_reporter(boot_seconds());

	if (control_listen(&in.ctl, CONTROL_SOCK, &err) < 0) {
		stage_failed("control", "%s", err.msg);
		perr_clear(&err);
	}

	/* System Docker once the state disk holds its data root */
	boot_state_disk(&in, boot_seconds());
	pid1_run(&in);
}
