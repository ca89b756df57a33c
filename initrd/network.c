#include "network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "run.h"
#include "strbuf.h"

static int write_file(const char *path, const char *data, struct perr *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(data);

	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (write(fd, data, len) != (ssize_t)len) {
		int e = errno ? errno : EIO;
		close(fd);
		return perr_set(err, -e, "%s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

int net_set_hostname(const char *name, struct perr *err)
{
	struct strbuf hosts = STRBUF_INIT;
	int r;

	if (sethostname(name, strlen(name)) < 0)
		return perr_set(err, -errno, "sethostname %s: %s", name, strerror(errno));
	sb_printf(&hosts, "127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost\n", name);
	if (hosts.err) {
		sb_free(&hosts);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	r = write_file("/etc/hosts", hosts.s, err);
	sb_free(&hosts);
	if (r == 0) {
		struct strbuf hn = STRBUF_INIT;
		sb_printf(&hn, "%s\n", name);
		r = hn.err ? perr_set(err, -ENOMEM, "out of memory") : write_file("/etc/hostname", hn.s, err);
		sb_free(&hn);
	}
	return r;
}

static int set_up(const char *ifname, struct perr *err)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return perr_set(err, -errno, "socket: %s", strerror(errno));
	if (strlen(ifname) >= sizeof(ifr.ifr_name)) {
		close(fd);
		return perr_set(err, -EINVAL, "interface name too long: %s", ifname);
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = perr_set(err, -errno, "%s: get flags: %s", ifname, strerror(errno));
	else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			r = perr_set(err, -errno, "%s: up: %s", ifname, strerror(errno));
	}
	close(fd);
	return r;
}

int net_loopback_up(struct perr *err)
{
	return set_up("lo", err);
}

/* First line of a small sysfs file, trailing newline dropped; NULL if unreadable. */
static char *read_attr(const char *ifname, const char *attr)
{
	char *path = NULL, *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (asprintf(&path, "/sys/class/net/%s/%s", ifname, attr) < 0)
		return NULL;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return NULL;
	if (getline(&line, &cap, f) < 0) {
		free(line);
		line = NULL;
	} else {
		line[strcspn(line, "\n")] = '\0';
	}
	fclose(f);
	return line;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

int net_find_nic(const char *mac, int timeout_s, char **ret_ifname, struct perr *err)
{
	for (long waited = 0;; waited += 100) {
		DIR *d = opendir("/sys/class/net");
		struct dirent *de;
		char *found = NULL;

		while (d && !found && (de = readdir(d))) {
			char *type, *addr;
			if (de->d_name[0] == '.' || !strcmp(de->d_name, "lo"))
				continue;
			type = read_attr(de->d_name, "type");
			addr = read_attr(de->d_name, "address");
			if (type && !strcmp(type, "1") &&
			    (!mac || !*mac || (addr && !strcasecmp(addr, mac))))
				found = strdup(de->d_name);
			free(type);
			free(addr);
		}
		if (d)
			closedir(d);
		if (found) {
			*ret_ifname = found;
			return 0;
		}
		if (waited >= (long)timeout_s * 1000)
			break;
		sleep_ms(100);
	}
	if (mac && *mac)
		return perr_set(err, -ENODEV, "no network interface with MAC %s after %d s", mac, timeout_s);
	return perr_set(err, -ENODEV, "no Ethernet interface after %d s", timeout_s);
}

int net_link_up(const char *ifname, int timeout_s, struct perr *err)
{
	int r = set_up(ifname, err);

	if (r < 0)
		return r;
	for (long waited = 0;; waited += 50) {
		char *c = read_attr(ifname, "carrier");
		int up = c && !strcmp(c, "1");
		free(c);
		if (up)
			return 0;
		if (waited >= (long)timeout_s * 1000)
			return perr_set(err, -ENOLINK, "%s: no link after %d s", ifname, timeout_s);
		sleep_ms(50);
	}
}

int net_static(const char *ifname, const struct nodecfg *cfg, struct perr *err)
{
	const char *addr = nodecfg_get(cfg, "net.address"), *gw = nodecfg_get(cfg, "net.gateway"), *dns;
	struct strbuf resolv = STRBUF_INIT;
	size_t pos = 0;
	int r;

	if (!addr || !*addr)
		return perr_set(err, -EINVAL, "net.mode is static but net.address is empty");
	{
		char *argv[] = { BUSYBOX, "ip", "addr", "add", (char *)addr, "dev", (char *)ifname, NULL };
		if ((r = run_wait(argv, 10, err)) < 0)
			return perr_wrap(err, "ip addr add %s dev %s", addr, ifname);
	}
	if (gw && *gw) {
		char *argv[] = { BUSYBOX, "ip", "route", "add", "default", "via", (char *)gw, NULL };
		if ((r = run_wait(argv, 10, err)) < 0)
			return perr_wrap(err, "ip route add default via %s", gw);
	}
	while ((dns = nodecfg_next(cfg, "net.dns", &pos)))
		sb_printf(&resolv, "nameserver %s\n", dns);
	sb_add(&resolv, "", 0);
	r = resolv.err ? perr_set(err, -ENOMEM, "out of memory") : write_file("/etc/resolv.conf", resolv.s, err);
	sb_free(&resolv);
	return r;
}

int net_wait_ipv4(const char *ifname, int timeout_s, char **ret_addr, struct perr *err)
{
	for (long waited = 0;; waited += 100) {
		struct ifaddrs *ifa = NULL;
		char buf[INET_ADDRSTRLEN] = "";

		if (getifaddrs(&ifa) == 0) {
			for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
				if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !strcmp(i->ifa_name, ifname)) {
					inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, buf,
						  sizeof(buf));
					break;
				}
			freeifaddrs(ifa);
		}
		if (*buf) {
			*ret_addr = strdup(buf);
			return *ret_addr ? 0 : perr_set(err, -ENOMEM, "out of memory");
		}
		if (waited >= (long)timeout_s * 1000)
			return perr_set(err, -ETIMEDOUT, "%s: no DHCP lease after %d s", ifname, timeout_s);
		sleep_ms(100);
	}
}
