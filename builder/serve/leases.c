#include "serve/leases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "strbuf.h"

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
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? strdup("") : NULL;
	sb.max = 16u << 20;
	ssize_t n;
	while ((n = fd_read(fd, buf, sizeof(buf))) > 0)
		sb_add(&sb, buf, (size_t)n);
	close(fd);
	if (n < 0 || sb.err) {
		sb_free(&sb);
		return NULL;
	}
	return sb.s ? sb_steal(&sb) : strdup("");
}
