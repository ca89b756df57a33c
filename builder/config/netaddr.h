/* netaddr: IP addresses, CIDR prefixes, MAC addresses and host names as
 * written in cluster.yml. */
#ifndef PADDOCK_NETADDR_H
#define PADDOCK_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

struct ipaddr {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char b[16];        /* network order; 4 bytes used for IPv4 */
};

/* Parses a bare IPv4 or IPv6 address. */
bool ip_parse(const char *s, struct ipaddr *out);

/* Parses "addr/prefix"; prefix within the family's range. */
bool cidr_parse(const char *s, struct ipaddr *addr, int *prefix);

/* True if a and b agree in the first prefix bits (same family). */
bool ip_same_prefix(const struct ipaddr *a, const struct ipaddr *b, int prefix);

/* IPv4 only: the address is the network or the broadcast address of its
 * prefix (for prefixes shorter than /31). */
bool ip4_is_net_or_bcast(const struct ipaddr *a, int prefix);

/* The n-th address of a CIDR (1 = first host), written into buf. */
bool cidr_nth(const char *cidr, unsigned n, char *buf, size_t len);

/* Parses aa:bb:cc:dd:ee:ff (either case, ':' or '-'); out gets lower-case
 * colon form (18 bytes). */
bool mac_parse(const char *s, char out[18]);

/* A DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each label
 * starting and ending alphanumeric, at most 253 characters): what RKE
 * requires of a host name. */
bool dns1123_subdomain(const char *s);

/* Why s cannot be a node's address (address, internal_address): a phrase
 * to follow the value ("is a placeholder, not an address"), or NULL when it
 * is an IP address or a host name.  Placeholders are what examples leave
 * to fill in: <...>, words with spaces, upper-case words such as
 * YOUR-SERVER-IP; impossible ones hold characters no host name has or end
 * in a number without being an IPv4 address. */
const char *node_address_problem(const char *s);

/* A loopback address (127.0.0.0/8, ::1) or "localhost". */
bool is_loopback(const char *s);

/* Why s cannot be the base URL boot files are fetched from (http_base): a
 * phrase to follow the value ("is not an http:// or https:// URL"), or
 * NULL when it can.  It can be http:// or https://, a host name or
 * address, an optional port and a path, in the characters a URL may hold;
 * never credentials (they would be written into every iPXE script), a
 * query or fragment, nor "${", which iPXE would expand. */
const char *http_base_problem(const char *s);

#endif
