#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "strbuf.h"
#include "supervise.h"

int control_listen(const char *path, struct perr *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return perr_set(err, -ENAMETOOLONG, "%s: path too long", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return perr_set(err, -errno, "socket: %s", strerror(errno));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(path, 0600) < 0 || listen(fd, 8) < 0) {
		int e = errno;
		close(fd);
		return perr_set(err, -e, "%s: %s", path, strerror(e));
	}
	return fd;
}

enum control_req control_accept(int lfd, int *ret_fd, char **ret_name, unsigned *ret_lines)
{
	struct timeval tv = { 1, 0 };
	char buf[64];
	size_t len = 0;
	int fd;

	*ret_fd = -1;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return CONTROL_NONE;
	/* a client that connects and says nothing must not hang PID 1 */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	*ret_fd = fd;
	if (!strcmp(buf, "status"))
		return CONTROL_STATUS;
	if (!strcmp(buf, "poweroff"))
		return CONTROL_POWEROFF;
	if (!strcmp(buf, "reboot"))
		return CONTROL_REBOOT;
	if (!strncmp(buf, "logs ", 5)) {
		char *sp = strchr(buf + 5, ' '), *end = NULL;
		unsigned long n = sp ? strtoul(sp + 1, &end, 10) : 0;
		if (sp && end && !*end && sp > buf + 5 && n < 1000000) {
			*ret_name = strndup(buf + 5, (size_t)(sp - buf - 5));
			*ret_lines = (unsigned)n;
			if (*ret_name)
				return CONTROL_LOGS;
		}
	}
	control_reply(fd, "error\tunknown request\n", 22);
	close(fd);
	*ret_fd = -1;
	return CONTROL_NONE;
}

void control_reply(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

char *control_status_text(size_t *ret_len)
{
	struct strbuf sb = STRBUF_INIT;
	const struct stage_rec *st;
	struct sv **all;
	size_t n;

	st = stage_list(&n);
	for (size_t i = 0; i < n; i++) {
		sb_printf(&sb, "stage\t%s\t%s\t%.2f", st[i].name, st[i].ok ? "ok" : "FAILED", st[i].secs);
		if (st[i].why) {
			sb_add(&sb, "\t", 1);
			for (const char *p = st[i].why; *p; p++)
				sb_add(&sb, *p == '\t' || *p == '\n' ? " " : p, 1);
		}
		sb_add(&sb, "\n", 1);
	}
	all = sv_all(&n);
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "service\t%s\t%s\t%u\t%d\t%.2f\n", all[i]->name, sv_state_name(all[i]->state),
			  all[i]->restarts, (int)all[i]->pid, all[i]->started);
	*ret_len = sb.len;
	return sb_steal(&sb);
}
