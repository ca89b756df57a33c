#include "report_queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"

static const char *const stages[] = { "init", "network", "state-disk", "system-docker", "etcd-member",
				      "etcd-healthy", "role-containers", "failed", NULL };

bool report_stage_known(const char *stage)
{
	for (size_t i = 0; stage && stages[i]; i++)
		if (!strcmp(stage, stages[i]))
			return true;
	return false;
}

const char *report_stage_of(const char *console_stage)
{
	static const char *const map[][2] = { { "init", "init" },
					      { "network", "network" },
					      { "state-disk", "state-disk" },
					      { "system-docker", "system-docker" },
					      { "etcd", "etcd-healthy" },
					      { "containers", "role-containers" } };
	for (size_t i = 0; console_stage && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(console_stage, map[i][0]))
			return map[i][1];
	return NULL;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '_' || c == '~';
}

char *report_pct_encode(const char *s, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strnlen(s, max);
	char *out = malloc(3 * n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

int report_queue_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int report_queue_append(const char *path, double t, const char *stage, const char *detail)
{
	struct strbuf sb = STRBUF_INIT;
	char *enc = detail ? report_pct_encode(detail, REPORT_DETAIL_MAX) : NULL;
	int fd, r = 0;

	if (!report_stage_known(stage))
		return -EINVAL;
	if (detail && !enc)
		return -ENOMEM;
	sb_printf(&sb, "t=%lld stage=%s%s%s\n", t > 0 ? (long long)(t * 1000.0) : 0LL, stage, enc ? " detail=" : "",
		  enc ? enc : "");
	free(enc);
	if (sb.err) {
		sb_free(&sb);
		return sb.err;
	}
	/* no O_CREAT: the queue is there only when reports are asked for */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = -errno;
	} else {
		/* one write: lines of the three writers never interleave */
		ssize_t n = write(fd, sb.s, sb.len);
		if (n < 0)
			r = -errno;
		else if ((size_t)n != sb.len)
			r = -EIO;
		close(fd);
	}
	sb_free(&sb);
	return r;
}

void report_console_stage(const char *stage, bool ok, const char *why, double t)
{
	const char *as = ok ? report_stage_of(stage) : "failed";
	char *detail = NULL;

	if (!as)
		return;
	if (!ok && asprintf(&detail, "%s: %s", stage, why ? why : "?") < 0)
		return;
	(void)report_queue_append(REPORT_QUEUE, t, as, detail);
	free(detail);
}

bool report_line_valid(const char *line, size_t len)
{
	char stage[32];
	size_t i = 2, s;

	if (len < 2 || memcmp(line, "t=", 2))
		return false;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == 2 || i > 2 + 18 || len - i < 7 || memcmp(line + i, " stage=", 7))
		return false;
	i += 7;
	for (s = i; i < len && line[i] != ' '; i++)
		;
	if (i - s >= sizeof(stage))
		return false;
	memcpy(stage, line + s, i - s);
	stage[i - s] = '\0';
	if (!report_stage_known(stage))
		return false;
	if (i == len)
		return true;
	if (len - i < 8 || memcmp(line + i, " detail=", 8))
		return false;
	for (i += 8; i < len; i++)
		if (!unreserved((unsigned char)line[i]) && line[i] != '%')
			return false;
	return true;
}

int report_queue_read(int fd, off_t *offset, bool (*fn)(void *ctx, const char *line, size_t len), void *ctx,
		      size_t *skipped)
{
	const size_t cap = REPORT_LINE_MAX + 1;
	char *buf = malloc(cap);
	size_t have = 0;
	int given = 0;
	bool skipping = false;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = pread(fd, buf + have, cap - have, *offset + (off_t)have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			given = -errno;
			break;
		}
		have += (size_t)n;
		char *nl = memchr(buf, '\n', have);
		if (!nl) {
			if (have < cap)
				break; /* all there is: nothing, or a line not finished */
			/* far too long to be ours: skipped to its end */
			if (!skipping)
				(*skipped)++;
			skipping = true;
			*offset += (off_t)have;
			have = 0;
			continue;
		}
		size_t len = (size_t)(nl - buf) + 1;
		if (skipping)
			skipping = false;
		else if (!report_line_valid(buf, len - 1))
			(*skipped)++;
		else if (!fn(ctx, buf, len))
			break;
		else
			given++;
		*offset += (off_t)len;
		memmove(buf, buf + len, have - len);
		have -= len;
	}
	free(buf);
	return given;
}
