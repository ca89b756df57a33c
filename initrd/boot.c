#include "boot.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "docker_api.h" /* SYSTEM_DOCKER_SOCK: PID 1 never calls the API */
#include "modules.h"
#include "network.h"
#include "pod_network.h"
#include "provision.h"
#include "report_queue.h"
#include "servicesd.h"

#define DOCKERD "/usr/sbin/dockerd"
#define DOCKERD_CONFIG "/etc/paddock/system-docker.json"
#define DOCKERD_LOG "/var/log/system-docker.log"
#define DOCKER_LISTEN_TIMEOUT 90.0
/* the containers first (paddock-services), then System Docker's own end */
#define SERVICES_STOP_SECS 45.0
#define DOCKERD_STOP_SECS 20.0
/* partitioning, mkfs and e2fsck of a large disk; then the node goes on
 * without it */
#define STATE_DISK_SECS 1800.0
#define PROVISIONER_STOP_SECS 20.0
#define REPORTER_BIN "/usr/sbin/paddock-report"
/* a report in flight at shutdown is not worth waiting for */
#define REPORTER_STOP_SECS 2.0

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
	/* the routes to other nodes' pods need the address they go out from */
	if (pod_network_up(&in->cfg, ifname, "/proc/sys", &err) < 0)
		stage_failed("pod-network", "%s", err.msg ? err.msg : "?");
	else if (nodecfg_get(&in->cfg, "pod.network"))
		stage_ok("pod-network");
	goto out;
fail:
	stage_failed("network", "%s", err.msg ? err.msg : "?");
out:
	free(ifname);
	free(addr);
	perr_clear(&err);
}

void boot_reporter(double now)
{
	struct perr err = PERR_INIT;
	char *argv[] = { REPORTER_BIN, NULL };
	struct sv *s;

	if (access(REPORT_QUEUE, F_OK) < 0)
		return;
	/* a crash resumes where it got to; a refusal ends it (exit 0) */
	s = sv_add_program("paddock-report", argv, NULL, SV_RESTART_ON_FAILURE);
	if (!s) {
		console_line("paddock-report FAILED: out of memory; no reports");
		return;
	}
	s->stop_secs = REPORTER_STOP_SECS;
	if (sv_start(s, now, &err) < 0)
		console_line("paddock-report FAILED: %s; no reports", err.msg ? err.msg : "?");
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
		in->dockerd->stop_secs = DOCKERD_STOP_SECS;
	}
	mkdir("/var/log", 0755);
	console_line("starting System Docker %.2f", now);
	if (sv_start(in->dockerd, now, &err) < 0) {
		stage_failed("system-docker", "%s", err.msg);
		in->dockerd->state = SV_BACKOFF;
		in->dockerd->next_start = now + 2;
	}
	perr_clear(&err);
}

void boot_state_disk(struct init *in, double now)
{
	struct perr err = PERR_INIT;
	char *argv[] = { PROVISIONER_BIN, "state-disk", NULL };

	in->disk = sv_add_program("state-disk", argv, NULL, SV_RESTART_NO);
	if (!in->disk || sv_start(in->disk, now, &err) < 0) {
		stage_failed("state-disk", "%s; running from RAM", err.msg ? err.msg : "out of memory");
		in->disk = NULL;
		boot_start_dockerd(in, now);
	}
	perr_clear(&err);
}

/* A connect(2) on a unix socket does not wait: it is taken or refused.
 * dockerd queues what it accepts before its API serves, and
 * paddock-services waits for the answer. */
static bool listening(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(a.sun_path))
		return false;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r == 0 || errno == EAGAIN;
}

/* Starts (or registers and starts) a program that works through System
 * Docker's API.  false while its copy for the last System Docker still
 * stops. */
static bool start_api_program(struct sv **s, const char *name, const char *bin, double stop_secs, double now)
{
	struct perr err = PERR_INIT;
	int r;

	if (!*s) {
		char *argv[] = { (char *)bin, NULL };
		*s = sv_add_program(name, argv, NULL, SV_RESTART_ALWAYS);
		if (!*s) {
			stage_failed(name, "out of memory");
			return true;
		}
		(*s)->stop_secs = stop_secs;
	}
	(*s)->enabled = true;
	r = sv_start(*s, now, &err);
	if (r == -EBUSY) {
		perr_clear(&err);
		return false;
	}
	if (r < 0) {
		stage_failed(name, "%s", err.msg);
		(*s)->state = SV_BACKOFF;
		(*s)->next_start = now + 2;
	}
	perr_clear(&err);
	return true;
}

static void start_services(struct init *in, double now)
{
	/* the provisioner first: it is stopped after paddock-services, whose
	 * role containers may use etcd */
	if (!start_api_program(&in->provisioner, "provisioner", PROVISIONER_BIN, PROVISIONER_STOP_SECS, now) ||
	    !start_api_program(&in->services, "paddock-services", SERVICES_BIN, SERVICES_STOP_SECS, now))
		return;
	in->phase = PH_UP;
}

void boot_advance(struct init *in, double now)
{
	if (in->disk && in->disk->pid > 0 && now - in->disk->started > STATE_DISK_SECS) {
		stage_failed("state-disk", "not done after %.0f s; stopping it", STATE_DISK_SECS);
		kill(in->disk->pid, SIGKILL);
	}
	if (in->phase != PH_DOCKER || !in->dockerd || in->dockerd->pid <= 0)
		return;
	if (listening(SYSTEM_DOCKER_SOCK)) {
		start_services(in, now);
	} else if (now - in->dockerd->started > DOCKER_LISTEN_TIMEOUT) {
		stage_failed("system-docker", "not listening on %s after %.0f s (see %s); restarting",
			     SYSTEM_DOCKER_SOCK, DOCKER_LISTEN_TIMEOUT, DOCKERD_LOG);
		kill(in->dockerd->pid, SIGKILL);
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
	if (s == in->disk) {
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			stage_failed("state-disk", "paddock-provisioner state-disk %s %d",
				     WIFEXITED(status) ? "exited with" : "killed by signal",
				     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		boot_start_dockerd(in, now);
		return;
	}
	if (s == in->dockerd) {
		char *last = last_line(DOCKERD_LOG);
		stage_failed("system-docker", "dockerd %s %d: %s; restarting in %.0f s",
			     WIFEXITED(status) ? "exited with" : "killed by signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			     last ? last : "(see " DOCKERD_LOG ")", again);
		free(last);
		/* its containers went with it: paddock-services starts over
		 * once the new one listens */
		in->phase = PH_DOCKER;
		if (in->services)
			sv_stop(in->services);
		if (in->provisioner)
			sv_stop(in->provisioner);
		return;
	}
	if (s == in->services && WIFEXITED(status) && WEXITSTATUS(status) == SERVICES_EXIT_NO_DOCKER &&
	    in->dockerd && in->dockerd->pid > 0) {
		stage_failed("system-docker", "no answer on %s (see %s); restarting", SYSTEM_DOCKER_SOCK,
			     DOCKERD_LOG);
		kill(in->dockerd->pid, SIGKILL);
		return;
	}
	if (again >= 0)
		console_line("service %s stopped; restart %u in %.0f s", s->name, s->restarts + 1, again);
}

bool boot_reap(struct init *in)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		on_child_exit(in, pid, status, boot_seconds());
	return pid == 0;
}
