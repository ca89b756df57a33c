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
#include <linux/input.h>
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
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "console.h"
#include "control.h"
#include "docker_api.h"
#include "modules.h"
#include "mounts.h"
#include "network.h"
#include "nodecfg.h"
#include "run.h"
#include "services.h"
#include "strbuf.h"
#include "supervise.h"
#include "sysctl.h"

#define DOCKERD "/usr/sbin/dockerd"
#define DOCKERD_CONFIG "/etc/paddock/system-docker.json"
#define DOCKERD_LOG "/var/log/system-docker.log"
#define DOCKER_READY_TIMEOUT 90.0
#define FATAL_REBOOT_DELAY 30
#define MAX_INPUTS 8

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

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

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

static void stage_modules(void)
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

static void stage_network(struct init *in)
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

/* The ACPI power button shows up as an input device named "Power Button". */
static void open_power_buttons(struct init *in)
{
	DIR *d = opendir("/sys/class/input");
	struct dirent *de;

	while (d && (de = readdir(d)) && in->ninputs < MAX_INPUTS) {
		char *path = NULL, name[128] = "";
		FILE *f;
		if (strncmp(de->d_name, "event", 5))
			continue;
		if (asprintf(&path, "/sys/class/input/%s/device/name", de->d_name) < 0)
			continue;
		f = fopen(path, "re");
		free(path);
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		if (!strstr(name, "Power Button"))
			continue;
		if (asprintf(&path, "/dev/input/%s", de->d_name) < 0)
			continue;
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		free(path);
		if (fd >= 0)
			in->inputs[in->ninputs++] = fd;
	}
	if (d)
		closedir(d);
}

static bool power_pressed(int fd)
{
	struct input_event ev[16];
	ssize_t n = read(fd, ev, sizeof(ev));
	bool pressed = false;

	for (ssize_t i = 0; n > 0 && i < n / (ssize_t)sizeof(ev[0]); i++)
		if (ev[i].type == EV_KEY && ev[i].code == KEY_POWER && ev[i].value == 1)
			pressed = true;
	return pressed;
}

static void start_dockerd(struct init *in, double now)
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

/* Moves the boot forward: System Docker answering, images loaded, services. */
static void advance(struct init *in, double now)
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

static void reap(struct init *in)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		on_child_exit(in, pid, status, boot_seconds());
}

/* Waits up to secs for every supervised process to end, reaping all. */
static bool wait_children(struct init *in, double secs)
{
	double end = boot_seconds() + secs;

	for (;;) {
		size_t n;
		struct sv **all = sv_all(&n);
		bool any = false;
		reap(in);
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

static void shutdown_now(struct init *in)
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

/* Container states for `paddockctl status`; the API timeout bounds it. */
static void append_containers(struct init *in, struct strbuf *sb)
{
	for (size_t i = 0; i < in->nsvcs; i++) {
		struct perr err = PERR_INIT;
		struct docker_state st;
		if (docker_container_inspect(in->api, in->svcs[i].conf.name, &st, &err) == 0) {
			sb_printf(sb, "container\t%s\t%s\n", in->svcs[i].conf.name, st.status);
			docker_state_free(&st);
		} else {
			sb_printf(sb, "container\t%s\t%s\n", in->svcs[i].conf.name,
				  err.code == -ENOENT ? "none" : "unknown");
		}
		perr_clear(&err);
	}
}

static void handle_control(struct init *in)
{
	enum control_req req;
	unsigned lines = 0;
	char *name = NULL;
	int fd, r;

	while ((req = control_accept(in->cfd, &fd, &name, &lines)) != CONTROL_NONE || fd >= 0) {
		if (req == CONTROL_STATUS) {
			struct strbuf sb = STRBUF_INIT;
			size_t len = 0;
			char *text = control_status_text(&len);
			sb_add(&sb, text ? text : "", text ? len : 0);
			free(text);
			if (in->phase != PH_DOCKER)
				append_containers(in, &sb);
			control_reply(fd, sb.s ? sb.s : "", sb.s ? sb.len : 0);
			sb_free(&sb);
		} else if (req == CONTROL_LOGS) {
			struct perr err = PERR_INIT;
			char *logs = NULL;
			size_t len = 0;
			/* logs can be long and TCG slow: a longer bound than status */
			docker_set_timeout(in->api, 15);
			r = docker_container_logs(in->api, name, lines, &logs, &len, &err);
			docker_set_timeout(in->api, 2);
			if (r == 0) {
				control_reply(fd, logs, len);
			} else {
				struct strbuf sb = STRBUF_INIT;
				sb_printf(&sb, "error\t%s\n", err.msg ? err.msg : "?");
				control_reply(fd, sb.s ? sb.s : "", sb.s ? sb.len : 0);
				sb_free(&sb);
			}
			free(logs);
			perr_clear(&err);
		} else if (req == CONTROL_POWEROFF || req == CONTROL_REBOOT) {
			control_reply(fd, "ok\n", 3);
			in->shutdown = req == CONTROL_POWEROFF ? RB_POWER_OFF : RB_AUTOBOOT;
		}
		free(name);
		name = NULL;
		if (fd >= 0)
			close(fd);
	}
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
		advance(in, now);
		all = sv_all(&nall); /* after advance(): registering may move the table */
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
		reap(in);
		if (p[1].revents & POLLIN)
			handle_control(in);
		for (size_t i = 2; i < np; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (i < 2 + in->ninputs) {
				if (power_pressed(p[i].fd)) {
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

	stage_modules();
	open_power_buttons(&in);

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

	stage_network(&in);

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
	start_dockerd(&in, boot_seconds());
	main_loop(&in);
	return 0;
}
