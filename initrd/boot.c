#include "boot.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "console.h"
#include "modules.h"
#include "network.h"

#define DOCKERD "/usr/sbin/dockerd"
#define DOCKERD_CONFIG "/etc/paddock/system-docker.json"
#define DOCKERD_LOG "/var/log/system-docker.log"
#define DOCKER_READY_TIMEOUT 90.0

void boot_modules(void)
{
	struct perr err = PERR_INIT;
	struct utsname u;
	char *alias = NULL;
	size_t n = 0;
	FILE *f;

	f = fopen("/proc/sys/kernel/modprobe", "we");
	if (f) {
		fputs(MODPROBE "\n", f);
		fclose(f);
	}
	if (modules_load_list(MODULES_LIST, &n, &err) < 0)
		stage_failed("modules", "%s", err.msg);
	else
		stage_ok("modules");
	perr_clear(&err);

	if (uname(&u) < 0 || asprintf(&alias, "/lib/modules/%s/modules.alias", u.release) < 0) {
		stage_failed("coldplug", "out of memory");
		return;
	}
	/* A driver that binds makes new devices (virtio_pci -> virtio0 ->
	 * virtio_net; the power button -> an input device -> evdev): go again
	 * while that finds more to load. */
	size_t before = (size_t)-1;
	int r = 0;
	for (int pass = 0; pass < 4 && r == 0 && n != before; pass++) {
		before = pass ? n : (size_t)-1;
		r = modules_coldplug("/sys/devices", alias, &n, &err);
	}
	if (r < 0)
		stage_failed("coldplug", "%s", err.msg);
	else
		stage_ok("coldplug");
	free(alias);
	perr_clear(&err);
}

void boot_network(struct init *in)
{
	struct perr err = PERR_INIT;
	const char *mode = nodecfg_get(&in->cfg, "net.mode");
	char *ifname = NULL, *addr = NULL;

	if (net_loopback_up(&err) < 0 ||
	    net_find_nic(nodecfg_get(&in->cfg, "net.mac"), 10, &ifname, &err) < 0 ||
	    net_link_up(ifname, 10, &err) < 0)
		goto fail;
	if (mode && !strcmp(mode, "static")) {
		if (net_static(ifname, &in->cfg, &err) < 0)
			goto fail;
	} else {
		char *argv[] = { BUSYBOX, "udhcpc", "-f", "-S", "-i", ifname, "-s", UDHCPC_SCRIPT,
				 "-t", "0", "-T", "2", NULL };
		struct sv *s = sv_add_program("dhcp", argv, NULL, SV_RESTART_ALWAYS);
		if (!s || sv_start(s, boot_seconds(), &err) < 0) {
			if (!s)
				perr_set(&err, -ENOMEM, "out of memory");
			goto fail;
		}
		/* udhcpc keeps trying in the background if this wait runs out */
		if (net_wait_ipv4(ifname, 30, &addr, &err) < 0)
			goto fail;
	}
	stage_ok("network");
	goto out;
fail:
	stage_failed("network", "%s", err.msg ? err.msg : "?");
out:
	free(ifname);
	free(addr);
	perr_clear(&err);
}

void boot_start_dockerd(struct init *in, double now)
{
	struct perr err = PERR_INIT;

	if (!in->dockerd) {
		char *argv[] = { DOCKERD, "--config-file", DOCKERD_CONFIG, NULL };
		in->dockerd = sv_add_program("system-docker", argv, DOCKERD_LOG, SV_RESTART_ALWAYS);
		if (!in->dockerd) {
			stage_failed("system-docker", "out of memory");
			return;
		}
	}
	mkdir("/var/log", 0755);
	if (sv_start(in->dockerd, now, &err) < 0) {
		stage_failed("system-docker", "%s", err.msg);
		in->dockerd->state = SV_BACKOFF;
		in->dockerd->next_start = now + 2;
	}
	in->docker_started = now;
	perr_clear(&err);
}

void boot_advance(struct init *in, double now)
{
	struct perr err = PERR_INIT;

	if (in->phase == PH_DOCKER && in->dockerd && in->dockerd->pid > 0) {
		if (docker_ping(in->api, &err) == 0) {
			stage_ok_as("system-docker", "System Docker ready");
			in->phase = PH_IMAGES;
			in->images = in->images ? in->images
						: sv_add_func("images", images_load_all, NULL, SV_RESTART_ON_FAILURE);
			if (!in->images || sv_start(in->images, now, &err) < 0)
				stage_failed("images", "%s", err.msg ? err.msg : "out of memory");
		} else if (now - in->dockerd->started > DOCKER_READY_TIMEOUT) {
			stage_failed("system-docker", "no answer on %s after %.0f s (see %s); restarting",
				     SYSTEM_DOCKER_SOCK, DOCKER_READY_TIMEOUT, DOCKERD_LOG);
			kill(in->dockerd->pid, SIGKILL);
		}
		perr_clear(&err);
	}
	if (in->phase == PH_SERVICES || in->phase == PH_UP) {
		bool all = true;
		services_start_ready(in->svcs, in->nsvcs, now);
		for (size_t i = 0; i < in->nsvcs; i++)
			if (in->svcs[i].sv->state != SV_RUNNING && in->svcs[i].sv->state != SV_DONE)
				all = false;
		if (all && in->phase == PH_SERVICES) {
			in->phase = PH_UP;
			stage_ok("services");
		}
	}
}

/* The last non-empty line of a log (at most 300 bytes of it), or NULL. */
static char *last_line(const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[300], *last = NULL;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)sizeof(buf) ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (*buf) {
			free(last);
			last = strdup(buf);
		}
	}
	fclose(f);
	return last;
}

static void on_child_exit(struct init *in, pid_t pid, int status, double now)
{
	double again;
	struct sv *s = sv_reaped(pid, status, now, &again);

	if (!s || in->shutdown)
		return;
	for (size_t i = 0; i < in->nsvcs; i++)
		if (in->svcs[i].sv == s)
			in->svcs[i].announced = false;
	if (s == in->images) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			stage_ok("images");
			in->phase = PH_SERVICES;
		} else {
			stage_failed("images", "loading bundled images failed; retrying in %.0f s", again);
		}
		return;
	}
	if (s == in->dockerd) {
		char *last = last_line(DOCKERD_LOG);
		stage_failed("system-docker", "dockerd %s %d: %s; restarting in %.0f s",
			     WIFEXITED(status) ? "exited with" : "killed by signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			     last ? last : "(see " DOCKERD_LOG ")", again);
		free(last);
		in->phase = PH_DOCKER;
		return;
	}
	if (again >= 0)
		console_line("service %s stopped; restart %u in %.0f s", s->name, s->restarts + 1, again);
}

void boot_reap(struct init *in)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		on_child_exit(in, pid, status, boot_seconds());
}
