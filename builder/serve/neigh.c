#include "serve/neigh.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

int mac_normalize(const char *in, char out[MAC_STR_LEN])
{
	if (!in || strlen(in) != 17)
		return -EINVAL;
	for (int i = 0; i < 17; i++) {
		char c = in[i];
		if (i % 3 == 2 ? c != ':' : !isxdigit((unsigned char)c))
			return -EINVAL;
		out[i] = (char)tolower((unsigned char)c);
	}
	out[17] = 0;
	return 0;
}

int neigh_lookup(const char *text, const char *ip, const char *iface, char mac[MAC_STR_LEN])
{
	/* "IP address HW type Flags HW address Mask Device", a header line first */
	const char *line = text ? strchr(text, '\n') : NULL;
	while (line && *++line) {
		char a[64], type[16], flags[16], hw[64], mask[16], dev[64];
		if (sscanf(line, "%63s %15s %15s %63s %15s %63s", a, type, flags, hw, mask, dev) == 6 &&
		    !strcmp(a, ip) && (!iface || !strcmp(dev, iface)) && (strtoul(flags, NULL, 16) & 0x2) &&
		    mac_normalize(hw, mac) == 0 && strcmp(mac, "00:00:00:00:00:00"))
			return 0;
		line = strchr(line, '\n');
	}
	return -ENOENT;
}

char *neigh_read_table(void)
{
	return file_read_text("/proc/net/arp", 16u << 20);
}
