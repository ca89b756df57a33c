#include "serve/dnsmasq_log.h"

#include <stdio.h>
#include <string.h>

static int is_ip(const char *s)
{
	unsigned a, b, c, d;
	char end;
	return strlen(s) < 16 && sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) == 4 && a < 256 && b < 256 &&
	       c < 256 && d < 256;
}

void dnsmasq_log_parse(const char *line, struct dnsmasq_line *out)
{
	memset(out, 0, sizeof(*out));
	const char *p;
	/* "DHCPOFFER(br0) 10.10.0.11 52:54:00:00:02:01", "DHCPACK(br0) IP MAC name",
	 * "PXE(br0) [IP] MAC proxy" / "PXE(br0) IP MAC undionly.kpxe" */
	if ((p = strstr(line, "DHCPOFFER(")) || (p = strstr(line, "DHCPACK(")) || (p = strstr(line, "PXE("))) {
		char tok[3][64];
		int n = sscanf(p, "%*s %63s %63s %63s", tok[0], tok[1], tok[2]);
		for (int i = 0; i < n; i++) {
			if (!out->ip[0] && is_ip(tok[i]))
				strcpy(out->ip, tok[i]);
			else if (mac_normalize(tok[i], out->mac) == 0)
				break;
			else
				out->mac[0] = 0;
		}
		if (out->mac[0])
			out->kind = DNSMASQ_DHCP;
		else
			out->ip[0] = 0;
		return;
	}
	/* "sent /run/.../tftp/undionly.kpxe to 10.10.0.11" */
	if ((p = strstr(line, " sent ")) && strstr(line, "tftp")) {
		char path[512], ip[64];
		if (sscanf(p + 6, "%511s to %63s", path, ip) == 2 && is_ip(ip)) {
			const char *base = strrchr(path, '/');
			base = base ? base + 1 : path;
			if (strlen(base) < sizeof(out->file)) {
				strcpy(out->file, base);
				strcpy(out->ip, ip);
				out->kind = DNSMASQ_TFTP_SENT;
			}
		}
	}
}
