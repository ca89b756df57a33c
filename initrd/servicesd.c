/* paddock-services: System Docker's bundled images and the os-services in
 * it, started and supervised by init (servicesd.h). */
#include "servicesd.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "control.h"
#include "docker_api.h"
#include "services.h"
#include "services_answers.h"
#include "supervise.h"

/* How long System Docker may take to answer its first ping (dockerd under
 * TCG needs ~20 s), and each ping. */
#define DOCKER_ANSWER_SECS 90.0
#define PING_TIMEOUT 2
/* A stop: the containers within STOP_BUDGET_SECS, then the watchers. */
#define STOP_BUDGET_SECS 30.0
#define WATCHERS_STOP_SECS 5.0

enum sd_phase { SD_IMAGES, SD_SERVICES, SD_UP };

struct servicesd {
	struct osvc *svcs;
	size_t nsvcs;
	struct sv *images;
	enum sd_phase phase;
	struct control ctl;
	struct answers answers;
	int sfd;
	bool stop;
	bool containers_up;     /* "containers ok" printed */
	bool etcd_first;        /* images after the provisioner starts etcd */
};

/* The service or container whose watcher is s, or NULL. */
static struct osvc *of_sv(struct servicesd *sd, const struct sv *s)
{
	for (size_t i = 0; i < sd->nsvcs; i++)
		if (sd->svcs[i].sv == s)
			return &sd->svcs[i];
	return NULL;
}

static const char *kind_of(struct servicesd *sd, const struct sv *s)
{
	struct osvc *o = of_sv(sd, s);
	return o && o->role ? "container" : "service";
}

/* SIGTERM or SIGINT read from the signalfd: time to stop. */
static bool stop_asked(int sfd)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			stop = true;
	return stop;
}

/* Pings until System Docker answers.  1: it did, 0: a stop was asked
 * meanwhile, <0: it never answered. */
static int wait_for_docker(struct servicesd *sd, struct perr *err)
{
	struct docker *d = NULL;
	double end = boot_seconds() + DOCKER_ANSWER_SECS;
	int r;

	if ((r = docker_open(SYSTEM_DOCKER_SOCK, &d, err)) < 0)
		return r;
	docker_set_timeout(d, PING_TIMEOUT);
	for (;;) {
		struct pollfd p = { sd->sfd, POLLIN, 0 };
		perr_clear(err);
		if ((r = docker_ping(d, err)) == 0) {
			r = 1;
			break;
		}
		if (boot_seconds() >= end)
			break;
		if (poll(&p, 1, 500) > 0 && stop_asked(sd->sfd)) {
			r = 0;
			break;
		}
	}
	docker_close(d);
	return r;
}

static void on_child_exit(struct servicesd *sd, pid_t pid, int status, double now)
{
	double again;
	struct sv *s;

	if (answers_reaped(&sd->answers, pid))
		return;
	s = sv_reaped(pid, status, now, &again);
	if (!s || sd->stop)
		return;
	if (of_sv(sd, s))
		of_sv(sd, s)->announced = false;
	if (s == sd->images) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			stage_ok("images");
			sd->phase = SD_SERVICES;
		} else {
			stage_failed("images", "loading bundled images failed; retrying in %.0f s", again);
		}
		return;
	}
	if (again >= 0)
		console_line("%s %s stopped; restart %u in %.0f s", kind_of(sd, s), s->name, s->restarts + 1, again);
}

/* Reaps every ended child; returns whether one is left. */
static bool reap(struct servicesd *sd)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		on_child_exit(sd, pid, status, boot_seconds());
	return pid == 0;
}

/* The os-services make the "services" stage; the role containers, whose
 * images may still be pulled, their own "containers" stage. */
static void advance(struct servicesd *sd, double now)
{
	bool all = true, roles = true, any_role = false;

	if (sd->phase == SD_IMAGES)
		return;
	services_start_ready(sd->svcs, sd->nsvcs, now);
	for (size_t i = 0; i < sd->nsvcs; i++) {
		bool up = sd->svcs[i].sv->state == SV_RUNNING || sd->svcs[i].sv->state == SV_DONE;
		any_role |= sd->svcs[i].role;
		if (sd->svcs[i].role)
			roles &= up;
		else
			all &= up;
	}
	if (all && sd->phase == SD_SERVICES) {
		sd->phase = SD_UP;
		stage_ok("services");
	}
	if (any_role && roles && !sd->containers_up) {
		sd->containers_up = true;
		stage_ok("containers");
	}
}

static void announce_ready(struct servicesd *sd, struct sv *s)
{
	struct osvc *o = of_sv(sd, s);

	if (o && !o->announced) {
		o->announced = true;
		console_line("%s %s running %.2f", o->role ? "container" : "service", s->name, boot_seconds());
	}
}

static void step(struct servicesd *sd)
{
	struct pollfd p[2 + CONTROL_MAX_CLIENTS + 64];
	size_t np = 0, nall, first_ready;
	struct sv **all;
	double now = boot_seconds(), next = sv_tick(now), dl;
	int timeout = 1000;

	advance(sd, now);
	dl = control_next_deadline(&sd->ctl);
	if (dl > 0 && (!next || dl < next))
		next = dl;
	if (next > 0 && (next - now) * 1000 < timeout)
		timeout = next <= now ? 0 : (int)((next - now) * 1000) + 1;

	p[np++] = (struct pollfd){ sd->sfd, POLLIN, 0 };
	np += control_pollfds(&sd->ctl, p + np, 1 + CONTROL_MAX_CLIENTS);
	first_ready = np;
	all = sv_all(&nall);
	for (size_t i = 0; i < nall && np < sizeof(p) / sizeof(p[0]); i++)
		if (all[i]->ready_fd >= 0)
			p[np++] = (struct pollfd){ all[i]->ready_fd, POLLIN, 0 };
	if (poll(p, np, timeout) < 0 && errno != EINTR)
		sleep_s(0.1);

	if ((p[0].revents & POLLIN) && stop_asked(sd->sfd))
		sd->stop = true;
	reap(sd);
	control_serve(&sd->ctl, boot_seconds(), answers_request, &sd->answers);
	for (size_t i = first_ready; i < np; i++) {
		struct sv *s;
		if ((p[i].revents & (POLLIN | POLLHUP)) && (s = sv_ready_event(p[i].fd)))
			announce_ready(sd, s);
	}
}

/* The containers, the last started first, then every child of ours. */
static void stop_all(struct servicesd *sd)
{
	struct sv **all;
	size_t n;
	double end;

	if (sd->images)
		sv_stop(sd->images);
	services_stop_all(sd->svcs, sd->nsvcs, STOP_BUDGET_SECS);
	end = boot_seconds() + WATCHERS_STOP_SECS;
	while (reap(sd) && boot_seconds() < end)
		sleep_s(0.05);
	all = sv_all(&n);
	for (size_t i = 0; i < n; i++)
		if (all[i]->pid > 0)
			kill(all[i]->pid, SIGKILL);
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (sd->answers.pid[i] > 0)
			kill(sd->answers.pid[i], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
}

int main(void)
{
	struct servicesd sd = { .sfd = -1, .ctl = { .lfd = -1 } };
	struct perr err = PERR_INIT;
	sigset_t mask;
	int r;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sd.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sd.sfd < 0) {
		console_line("paddock-services FAILED: signalfd: %s", strerror(errno));
		return 1;
	}
	mkdir("/run/paddock", 0755);
	if (control_listen(&sd.ctl, SERVICES_SOCK, &err) < 0) {
		stage_failed("paddock-services", "%s", err.msg);
		perr_clear(&err);
	}
	if (services_load(SVCCONF_DIR, &sd.svcs, &sd.nsvcs, &err) < 0) {
		stage_failed("services", "%s", err.msg);
		perr_clear(&err);
	} else if (services_load_roles(CONTAINERS_DIR, &sd.svcs, &sd.nsvcs, &err) < 0) {
		/* the os-services run whatever the role containers' files say */
		stage_failed("containers", "%s", err.msg);
		perr_clear(&err);
	}
	if (services_register(sd.svcs, sd.nsvcs, &err) < 0) {
		stage_failed("services", "%s", err.msg);
		perr_clear(&err);
		sd.nsvcs = 0;
	}
	sd.etcd_first = services_run_etcd(CONTAINERS_DIR);
	sd.answers.svcs = sd.svcs;
	sd.answers.nsvcs = sd.nsvcs;

	r = wait_for_docker(&sd, &err);
	if (r < 0) {
		stage_failed("system-docker", "no answer on %s after %.0f s: %s", SYSTEM_DOCKER_SOCK,
			     DOCKER_ANSWER_SECS, err.msg ? err.msg : "?");
		perr_clear(&err);
		return SERVICES_EXIT_NO_DOCKER;
	}
	if (r == 1) {
		stage_ok_as("system-docker", "System Docker ready");
		sd.images = sv_add_func("images", images_load_all, &sd.etcd_first, SV_RESTART_ON_FAILURE);
		if (!sd.images || sv_start(sd.images, boot_seconds(), &err) < 0)
			stage_failed("images", "%s", err.msg ? err.msg : "out of memory");
		perr_clear(&err);
		while (!sd.stop)
			step(&sd);
	}
	stop_all(&sd);
	control_close(&sd.ctl);
	unlink(SERVICES_SOCK);
	services_free(sd.svcs, sd.nsvcs);
	sv_reset();
	return 0;
}
