/* neigh: the kernel's IPv4 neighbour table as /proc/net/arp shows it:
 * which MAC answers for an address on an interface. */
#ifndef PADDOCK_SERVE_NEIGH_H
#define PADDOCK_SERVE_NEIGH_H

#define MAC_STR_LEN 18  /* "aa:bb:cc:dd:ee:ff" and its NUL */

/* Finds ip (dotted quad) on iface in text (the contents of /proc/net/arp):
 * 0 and its MAC, lower case, in mac; -ENOENT when there is no complete entry. */
int neigh_lookup(const char *text, const char *ip, const char *iface, char mac[MAC_STR_LEN]);

/* The contents of /proc/net/arp (heap), or NULL. */
char *neigh_read_table(void);

/* Lower-cases a MAC "AA:BB:.." into out; -EINVAL unless six hex pairs. */
int mac_normalize(const char *in, char out[MAC_STR_LEN]);

#endif
