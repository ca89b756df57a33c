/* init: PID 1 of the image until the real init lands (see the init issue).
 * Mounts the kernel file systems, prints the marker line
 *   paddock: init ok <uptime-seconds>
 * and the node name from the baked config on the console, then reaps
 * children forever, or powers off when the kernel command line says
 * paddock.poweroff. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *s)
{
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		fd = 2;
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		s += w;
		n -= (size_t)w;
	}
	if (fd != 2)
		close(fd);
}

/* First line of a small file into buf (NUL-terminated), or "". */
static void slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
}

int main(void)
{
	char up[64], line[512];
	static char conf[65536], cmdline[4096];

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");

	slurp("/proc/uptime", up, sizeof(up));
	up[strcspn(up, " \n")] = 0;
	snprintf(line, sizeof(line), "paddock: init ok %s\n", up[0] ? up : "0");
	say(line);

	/* node.name= from the node layer's config */
	slurp("/etc/paddock/node.conf", conf, sizeof(conf));
	const char *name = "?";
	for (char *l = conf, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		if (!strncmp(l, "node.name=", 10)) {
			name = l + 10;
			break;
		}
	}
	snprintf(line, sizeof(line), "paddock: node %.200s\n", name);
	say(line);

	slurp("/proc/cmdline", cmdline, sizeof(cmdline));
	for (char *t = strtok(cmdline, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, "paddock.poweroff")) {
			say("paddock: power off\n");
			sync();
			reboot(RB_POWER_OFF);
		}
	for (;;) {
		if (wait(NULL) < 0 && errno == ECHILD)
			pause();
	}
}
