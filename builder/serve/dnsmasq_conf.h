/* dnsmasq_conf: the configuration paddock serve gives its dnsmasq child
 * (DHCP or ProxyDHCP, and TFTP for the boot loaders), as recorded in
 * shared/reference/netboot.md: full DHCP hands each node with a
 * paddock.mac its planned address (dhcp-host) and nobody else one; proxy
 * mode answers only the boot options (pxe-service).  Both send IPv6 router
 * advertisements with lifetime 0, which spares iPXE a 16 s wait. */
#ifndef PADDOCK_SERVE_DNSMASQ_CONF_H
#define PADDOCK_SERVE_DNSMASQ_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct dnsmasq_host {
	const char *mac, *ip, *name;
};

struct dnsmasq_conf {
	bool proxy;                 /* false: full DHCP */
	const char *iface;
	const char *server_ip;      /* the interface's IPv4 address */
	const char *network;        /* its network address, "10.10.0.0" */
	const char *netmask;        /* "255.255.255.0" */
	int http_port;
	bool ra;                    /* the interface has an IPv6 address to advertise */
	const char *tftp_root;
	const char *leasefile;
	const struct dnsmasq_host *hosts;
	size_t n_hosts;
};

/* The configuration text (heap), or NULL when out of memory. */
char *dnsmasq_conf_text(const struct dnsmasq_conf *c);

#endif
