#include "serve/preflight.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/audit.h"
#include "version.h"

int preflight_iface(const char *iface, struct iface_addr *a, struct perr *err)
{
	struct ifaddrs *list = NULL;
	if (!if_nametoindex(iface))
		return perr_set(err, -ENODEV, "interface %s: no such interface", iface);
	if (getifaddrs(&list) < 0)
		return perr_set(err, -errno, "interface %s: %s", iface, strerror(errno));
	int r = perr_set(err, -EADDRNOTAVAIL, "interface %s has no IPv4 address (give it the server's address on the provisioning LAN)", iface);
	for (struct ifaddrs *i = list; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 && !strcmp(i->ifa_name, iface) &&
		    !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr) &&
		    !IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			a->ipv6 = true;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, iface) || !i->ifa_netmask)
			continue;
		struct in_addr ad = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		struct in_addr m = ((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
		struct in_addr net = { ad.s_addr & m.s_addr };
		a->addr = ntohl(ad.s_addr);
		a->mask = ntohl(m.s_addr);
		inet_ntop(AF_INET, &ad, a->ip, sizeof(a->ip));
		inet_ntop(AF_INET, &m, a->netmask, sizeof(a->netmask));
		inet_ntop(AF_INET, &net, a->network, sizeof(a->network));
		perr_clear(err);
		r = 0;
		break;
	}
	freeifaddrs(list);
	return r;
}

int preflight_port(int type, const char *ip, int port, const char *what, struct perr *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (ip && inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return perr_set(err, -EINVAL, "%s: not an IPv4 address", ip);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return perr_set(err, -errno, "socket: %s", strerror(errno));
	/* TCP as the HTTP server binds (MHD sets SO_REUSEADDR): a listener
	 * takes the port, the closing connections of an earlier run do not */
	int one = 1;
	int r = type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ? -errno : 0;
	if (!r)
		r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	close(fd);
	if (r == -EADDRINUSE)
		return perr_set(err, r, "port %d (%s) on %s is already taken", port, what, ip ? ip : "every address");
	if (r < 0)
		return perr_set(err, r, "port %d (%s) on %s: %s%s", port, what, ip ? ip : "every address",
				strerror(-r), r == -EACCES ? " (paddock serve runs as root for DHCP and TFTP)" : "");
	return 0;
}

int preflight_dhcp(const char *iface, struct perr *err)
{
	const char *busybox = getenv("PADDOCK_BUSYBOX");
	if (!busybox || !*busybox)
		busybox = "/bin/busybox";
	if (access(busybox, X_OK) < 0)
		return perr_set(err, -ENOENT, "%s: %s (Debian's busybox-static probes for another DHCP server)", busybox,
				strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		/* -s /bin/true: a lease obtained configures nothing; 8 s, as a
		 * server pings an address before it offers it (dnsmasq: 3 s) */
		execl(busybox, "busybox", "udhcpc", "-i", iface, "-f", "-n", "-q", "-s", "/bin/true", "-t", "4", "-T", "2",
		      (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return perr_set(err, -errno, "cannot probe for a DHCP server: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return perr_set(err, -EEXIST, "another DHCP server answers on %s: --dhcp needs a LAN of its own (use --proxy beside an existing DHCP server)", iface);
	return 0;
}

int preflight_version(const struct serve_out *o, struct perr *err)
{
	if (strcmp(o->version, PADDOCK_VERSION))
		return perr_set(err, -EPROTO, "%s was built by paddock %s, this is paddock %s: rebuild it with this paddock",
				o->dir, *o->version ? o->version : "(unknown)", PADDOCK_VERSION);
	return 0;
}

int preflight_audit(const char *dir, struct perr *err)
{
	struct audit_report rep = { 0 };
	int r = audit_run(dir, &rep, err);
	if (r >= 0) {
		size_t n = audit_report_failures(&rep, false);
		if (n)
			r = perr_set(err, -EPERM, "%s fails %zu check%s of `paddock audit` (run it to see which)", dir, n,
				     n == 1 ? "" : "s");
	}
	audit_report_free(&rep);
	return r;
}
