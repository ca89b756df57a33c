#include "shutdown.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "boot.h"
#include "console.h"
#include "mounts.h"

static int kill_all(int sig)
{
	return kill(-1, sig) < 0 ? -errno : 0;
}

static int reboot_machine(int how)
{
	/* reboot(2) does not return when it works */
	reboot(how);
	return errno ? -errno : -EIO;
}

const struct pid1_sys pid1_sys_real = { kill_all, mounts_unmount_all, sync, reboot_machine };

const char *shutdown_name(int how)
{
	return how == RB_POWER_OFF ? "power off" : how == (int)RB_HALT_SYSTEM ? "halt" : "reboot";
}

/* Waits up to secs for s to end, reaping every child meanwhile. */
static bool wait_entry(struct init *in, const struct sv *s, double secs)
{
	double end = boot_seconds() + secs;

	for (;;) {
		boot_reap(in);
		if (s->pid <= 0)
			return true;
		if (boot_seconds() >= end)
			return false;
		sleep_s(0.02);
	}
}

/* Waits up to secs until PID 1 has no child left, reaping them. */
static void wait_all(struct init *in, double secs)
{
	double end = boot_seconds() + secs;

	for (;;) {
		if (!boot_reap(in))
			return;
		if (boot_seconds() >= end)
			return;
		sleep_s(0.02);
	}
}

/* Every supervised entry in reverse order of first start, each waited for
 * before the next: paddock-services stops the containers before System
 * Docker is asked to go.  Returns false when one did not stop in time. */
static bool stop_supervised(struct init *in)
{
	size_t n;
	struct sv **all = sv_all(&n), **order;
	bool quiet;

	for (size_t i = 0; i < n; i++)
		all[i]->enabled = false;
	order = sv_stop_order(&n);
	quiet = order != NULL;
	for (size_t i = 0; order && i < n; i++) {
		double t0 = boot_seconds();
		if (order[i]->pid <= 0)
			continue;
		sv_stop(order[i]);
		if (wait_entry(in, order[i], order[i]->stop_secs)) {
			console_line("stopped %s in %.1f s", order[i]->name, boot_seconds() - t0);
		} else {
			console_line("%s did not stop within %g s", order[i]->name, order[i]->stop_secs);
			quiet = false;
		}
	}
	free(order);
	all = sv_all(&n);
	for (size_t i = 0; i < n; i++)
		if (all[i]->pid <= 0)
			sv_stop(all[i]);
	return quiet;
}

void shutdown_run(struct init *in)
{
	struct perr err = PERR_INIT;
	int left = 0;

	console_line("shutdown: %s requested %.2f", shutdown_name(in->shutdown), boot_seconds());
	if (stop_supervised(in))
		stage_ok("services stopped");
	else
		stage_failed("services stopped", "some processes did not stop in time; killing them");
	in->sys->kill_all(SIGTERM);
	wait_all(in, in->term_secs);
	in->sys->kill_all(SIGKILL);
	wait_all(in, in->kill_secs);
	in->sys->sync();
	if (in->sys->unmount_all(&left, &err) < 0)
		stage_failed("unmount", "%s", err.msg);
	else if (left)
		stage_failed("unmount", "%d filesystems busy", left);
	else
		stage_ok("unmount");
	perr_clear(&err);
	console_line("%s %.2f", shutdown_name(in->shutdown), boot_seconds());
	shutdown_reboot(in->sys, in->shutdown, in->retry_secs);
}

void shutdown_reboot(const struct pid1_sys *sys, int how, double retry_secs)
{
	int r;

	while ((r = sys->reboot(how)) < 0) {
		console_line("%s FAILED: %s; trying again in %.0f s", shutdown_name(how), strerror(-r),
			     retry_secs);
		sleep_s(retry_secs);
	}
}
