/* ytree_read: a cluster.yml read whole into memory, bounded by
 * YTREE_MAX_BYTES since it comes from outside (ytree.h). */
#include "config/ytree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ytree_read_file(const char *path, char **buf, size_t *len, struct perr *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return perr_setat(err, -errno, path, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
		close(fd);
		return perr_setat(err, -e, path, 0, 0, "not a regular file");
	}
	if ((uintmax_t)st.st_size > YTREE_MAX_BYTES) {
		close(fd);
		return perr_setat(err, -EFBIG, path, 0, 0,
				  "file is too large (%jd bytes; the limit is %u MiB)",
				  (intmax_t)st.st_size, YTREE_MAX_BYTES >> 20);
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *b = malloc(cap);
	if (!b) {
		close(fd);
		return perr_setat(err, -ENOMEM, path, 0, 0, "out of memory");
	}
	for (;;) {
		if (n + 1 >= cap) {
			/* the file grew while we read it: allow up to the limit */
			if (cap > YTREE_MAX_BYTES) {
				free(b);
				close(fd);
				return perr_setat(err, -EFBIG, path, 0, 0,
						  "file is too large (the limit is %u MiB)",
						  YTREE_MAX_BYTES >> 20);
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				close(fd);
				return perr_setat(err, -ENOMEM, path, 0, 0, "out of memory");
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(b);
			close(fd);
			return perr_setat(err, -e, path, 0, 0, "cannot read: %s", strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
