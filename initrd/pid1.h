/* pid1: the state PID 1's parts share: the boot stages (boot.h), the main
 * loop (mainloop.h), the control socket's requests (requests.h) and the
 * shutdown (shutdown.h). */
#ifndef PADDOCK_INIT_PID1_H
#define PADDOCK_INIT_PID1_H

#include <stdbool.h>
#include <stddef.h>

#include "control.h"
#include "nodecfg.h"
#include "supervise.h"

#define MAX_INPUTS 8

/* Where the boot is after the network and the state disk: System Docker
 * starting, then paddock-services (servicesd.h) running the os-services
 * in it and paddock-provisioner (provision.h) running etcd. */
enum phase { PH_DOCKER, PH_UP };

/* What the shutdown does to the machine; the unit tests put stand-ins
 * here so that it can run as a plain user. */
struct pid1_sys {
	int (*kill_all)(int sig);                               /* kill(-1, sig) */
	int (*unmount_all)(int *ret_left, struct perr *err);    /* mounts_unmount_all */
	void (*sync)(void);
	int (*reboot)(int how);  /* returns only on failure (negative errno); a stand-in returns 0 */
};

struct init {
	struct nodecfg cfg;
	bool debug_shell;
	struct sv *disk, *dockerd, *services, *provisioner;
	enum phase phase;
	struct control ctl;
	int sfd;                /* signalfd */
	int inputs[MAX_INPUTS]; /* power buttons */
	size_t ninputs;
	int shutdown;           /* 0, RB_AUTOBOOT, RB_POWER_OFF or RB_HALT_SYSTEM */
	const struct pid1_sys *sys;
	/* shutdown bounds, seconds: after SIGTERM to all, after SIGKILL to
	 * all, between attempts of a reboot that failed */
	double term_secs, kill_secs, retry_secs;
};

#endif
