#include "disk_full.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

long long disk_free_bytes(const char *dir)
{
	struct statvfs vfs;

	return statvfs(dir, &vfs) == 0 ? (long long)vfs.f_bavail * (long long)vfs.f_frsize : -1;
}

bool disk_full_said(const char *text)
{
	return text && strcasestr(text, "no space left on device");
}

char *disk_full_reason(const char *msg, const char *dir, long long free_bytes, long long need_bytes)
{
	char *out = NULL;
	int n;

	if (!disk_full_said(msg) && !(free_bytes >= 0 && free_bytes < need_bytes))
		return NULL;
	if (free_bytes < 0)
		n = asprintf(&out, DISK_FULL_WORDS " (%s)", dir);
	else
		n = asprintf(&out, DISK_FULL_WORDS " (%lld MiB free in %s)", free_bytes >> 20, dir);
	return n < 0 ? NULL : out;
}
