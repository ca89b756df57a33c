#include "shutdown.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "console.h"
#include "mounts.h"

/* Waits up to secs for every supervised process to end, reaping all. */
static bool wait_children(struct init *in, double secs)
{
	double end = boot_seconds() + secs;

	for (;;) {
		size_t n;
		struct sv **all = sv_all(&n);
		bool any = false;
		boot_reap(in);
		for (size_t i = 0; i < n; i++)
			if (all[i]->pid > 0)
				any = true;
		if (!any)
			return true;
		if (boot_seconds() >= end)
			return false;
		sleep_s(0.05);
	}
}

void shutdown_now(struct init *in)
{
	struct perr err = PERR_INIT;
	size_t n;
	struct sv **all;
	int left = 0;
	bool quiet;

	console_line("shutdown: %s requested %.2f", in->shutdown == RB_POWER_OFF ? "power off" : "reboot",
		     boot_seconds());
	all = sv_all(&n);
	for (size_t i = 0; i < n; i++)
		all[i]->enabled = false;
	if (in->dockerd && in->dockerd->pid > 0 && in->phase >= PH_IMAGES)
		services_stop_all(in->svcs, in->nsvcs, 10);
	for (size_t i = 0; i < n; i++)
		if (all[i] != in->dockerd)
			sv_stop(all[i]);
	wait_children(in, 5);
	if (in->dockerd)
		sv_stop(in->dockerd);
	quiet = wait_children(in, 20);
	if (quiet)
		stage_ok("services stopped");
	else
		stage_failed("services stopped", "some processes did not stop in time; killing them");
	kill(-1, SIGTERM);
	for (int i = 0; i < 30 && waitpid(-1, NULL, WNOHANG) >= 0; i++)
		sleep_s(0.1);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (mounts_unmount_all(&left, &err) < 0)
		stage_failed("unmount", "%s", err.msg);
	else if (left)
		stage_failed("unmount", "%d filesystems busy", left);
	else
		stage_ok("unmount");
	perr_clear(&err);
	sync();
	console_line("%s %.2f", in->shutdown == RB_POWER_OFF ? "power off" : "reboot", boot_seconds());
	reboot(in->shutdown);
	_exit(0);
}
