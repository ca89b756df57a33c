/* pid1: the state PID 1's parts share: the boot stages (boot.h), the
 * control socket's requests (requests.h), the shutdown (shutdown.h) and the
 * main loop in init.c that wires them. */
#ifndef PADDOCK_INIT_PID1_H
#define PADDOCK_INIT_PID1_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "docker_api.h"
#include "nodecfg.h"
#include "services.h"
#include "supervise.h"

#define MAX_INPUTS 8

/* Where the boot is after the network: each needs the one before. */
enum phase { PH_DOCKER, PH_IMAGES, PH_SERVICES, PH_UP };

struct init {
	struct nodecfg cfg;
	bool debug_shell;
	struct sv *dockerd, *images;
	struct osvc *svcs;
	size_t nsvcs;
	enum phase phase;
	double docker_started;
	struct docker *api;
	int sfd, cfd;
	int inputs[MAX_INPUTS];
	size_t ninputs;
	int shutdown;           /* 0, RB_POWER_OFF or RB_AUTOBOOT */
};

/* Sleeps s seconds whatever signal arrives. */
static inline void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#endif
