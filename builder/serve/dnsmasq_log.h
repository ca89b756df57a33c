/* dnsmasq_log: what paddock serve learns from its dnsmasq's log lines
 * (log-facility=-): a DHCP offer or ack (or a ProxyDHCP answer) to a MAC,
 * and a boot loader sent over TFTP to an address. */
#ifndef PADDOCK_SERVE_DNSMASQ_LOG_H
#define PADDOCK_SERVE_DNSMASQ_LOG_H

#include "serve/neigh.h"

enum dnsmasq_event { DNSMASQ_NONE, DNSMASQ_DHCP, DNSMASQ_TFTP_SENT };

struct dnsmasq_line {
	enum dnsmasq_event kind;
	char mac[MAC_STR_LEN];  /* DHCP: the client ("" when the line has none) */
	char ip[16];            /* DHCP: the address offered ("" for proxy); TFTP: the peer */
	char file[64];          /* TFTP: the file's name, without its folder */
};

/* Reads one log line (without its newline). */
void dnsmasq_log_parse(const char *line, struct dnsmasq_line *out);

#endif
