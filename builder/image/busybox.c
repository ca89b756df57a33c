/* busybox: the applet names of a busybox binary. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/busybox.h"
#include "components/listfile.h"

/* busybox keeps its applet names as one run of NUL-terminated strings in
 * sorted order, starting with "[" and "[["; a table shorter than 20 means
 * that run was not it. */
int busybox_applets(const char *path, struct strv *ret, struct perr *err)
{
	char *buf;
	size_t len;
	int r = read_file(path, 64u << 20, &buf, &len, err);
	if (r < 0)
		return r;
	static const char start[] = "[\0[[\0";
	char *p = memmem(buf, len, start, sizeof(start) - 1);
	if (!p) {
		free(buf);
		return perr_set(err, -EINVAL, "%s: no busybox applet table found", path);
	}
	for (char *end = buf + len; p < end && *p;) {
		size_t l = strnlen(p, (size_t)(end - p));
		int ok = l > 0 && l < 64;
		for (size_t i = 0; ok && i < l; i++)
			ok = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || strchr("[-_.", p[i]);
		if (!ok)
			break;
		strv_add_owned(ret, strndup(p, l));
		p += l + 1;
	}
	free(buf);
	if (ret->oom)
		return perr_set(err, -ENOMEM, "out of memory");
	if (ret->n < 20)
		return perr_set(err, -EINVAL, "%s: busybox applet table too short (%zu)", path, ret->n);
	return 0;
}
