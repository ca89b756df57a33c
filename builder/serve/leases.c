#include "serve/leases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

int leases_lookup(const char *text, const char *mac, char ip[16])
{
	char want[MAC_STR_LEN], got[MAC_STR_LEN];
	if (!text || mac_normalize(mac, want) < 0)
		return -ENOENT;
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char exp[32], m[64], a[64];
		if (sscanf(line, "%31s %63s %63s", exp, m, a) == 3 && mac_normalize(m, got) == 0 &&
		    !strcmp(got, want) && strlen(a) < 16 && strchr(a, '.')) {
			memcpy(ip, a, strlen(a) + 1);
			return 0;
		}
	}
	return -ENOENT;
}

char *leases_read(const char *path)
{
	char *s = file_read_text(path, 16u << 20);
	return s || errno != ENOENT ? s : strdup("");
}
