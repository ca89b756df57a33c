/* paddockctl: the appliance's own control command.
 *
 *   paddockctl status            stages, services, their state and restarts
 *   paddockctl logs SERVICE [-n N]
 *   paddockctl poweroff | reboot
 *
 * Talks to init over its control socket only (init asks System Docker),
 * so it is static and needs no library in a service image.  Exit status:
 * 0 ok, 1 failure, 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "perr.h"
#include "strbuf.h"

static int ask_init(const char *req, char **ret, struct perr *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd;

	sb.max = 1 << 20;
	strcpy(a.sun_path, CONTROL_SOCK);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return perr_set(err, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return perr_set(err, -e, "cannot reach init at %s: %s", CONTROL_SOCK, strerror(e));
	}
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req) || write(fd, "\n", 1) != 1) {
		int e = errno ? errno : EIO;
		close(fd);
		return perr_set(err, -e, "writing to init: %s", strerror(e));
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_add(&sb, buf, (size_t)n);
	close(fd);
	sb_add(&sb, "", 0);
	if (sb.err) {
		int r = sb.err;
		sb_free(&sb);
		return perr_set(err, r, "answer from init too large");
	}
	*ret = sb_steal(&sb);
	return 0;
}

/* Splits a tab-separated line in place; returns the field count (<= max). */
static size_t fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

/* The docker status init reported for a service, or "-". */
static const char *container_of(char *text, size_t len, const char *name)
{
	for (char *p = text; p < text + len;) {
		char *nl = memchr(p, '\0', (size_t)(text + len - p));
		if (!strncmp(p, "container\t", 10) && !strncmp(p + 10, name, strlen(name)) &&
		    p[10 + strlen(name)] == '\t')
			return p + 11 + strlen(name);
		p = nl ? nl + 1 : text + len;
	}
	return "-";
}

static int cmd_status(struct perr *err)
{
	char *text = NULL;
	size_t len;
	bool header = false;
	int r;

	if ((r = ask_init("status", &text, err)) < 0)
		return r;
	len = strlen(text);
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = '\0';
	printf("%-18s %-7s %8s  %s\n", "STAGE", "RESULT", "SECONDS", "DETAIL");
	for (char *line = text; line < text + len; line += strlen(line) + 1) {
		char copy[1024], *f[6];
		size_t n;
		if (strlen(line) >= sizeof(copy))
			continue;
		strcpy(copy, line);
		n = fields(copy, f, 6);
		if (n >= 4 && !strcmp(f[0], "stage")) {
			printf("%-18s %-7s %8s  %s\n", f[1], f[2], f[3], n > 4 ? f[4] : "");
		} else if (n >= 6 && !strcmp(f[0], "service")) {
			if (!header) {
				printf("\n%-18s %-9s %8s %7s %8s  %s\n", "SERVICE", "STATE", "RESTARTS", "PID",
				       "SINCE", "CONTAINER");
				header = true;
			}
			printf("%-18s %-9s %8s %7s %8s  %s\n", f[1], f[2], f[3], f[4], f[5],
			       container_of(text, len, f[1]));
		}
	}
	free(text);
	return 0;
}

static int cmd_logs(const char *svc, unsigned tail, struct perr *err)
{
	char *req = NULL, *ans = NULL;
	int r;

	if (strchr(svc, ' ') || strchr(svc, '\t') || strchr(svc, '\n') || !*svc)
		return perr_set(err, -EINVAL, "bad service name '%s'", svc);
	if (asprintf(&req, "logs %s %u", svc, tail) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	r = ask_init(req, &ans, err);
	free(req);
	if (r < 0)
		return r;
	if (!strncmp(ans, "error\t", 6)) {
		ans[strcspn(ans, "\n")] = '\0';
		r = perr_set(err, -EIO, "%s", ans + 6);
	} else {
		fputs(ans, stdout);
	}
	free(ans);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: paddockctl status\n"
		   "       paddockctl logs SERVICE [-n LINES]\n"
		   "       paddockctl poweroff | reboot\n");
}

int main(int argc, char **argv)
{
	struct perr err = PERR_INIT;
	int r;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "status") && argc == 2) {
		r = cmd_status(&err);
	} else if (!strcmp(argv[1], "logs") && (argc == 3 || (argc == 5 && !strcmp(argv[3], "-n")))) {
		char *end = NULL;
		unsigned long tail = argc == 5 ? strtoul(argv[4], &end, 10) : 0;
		if (argc == 5 && (!*argv[4] || *end)) {
			usage(stderr);
			return 2;
		}
		r = cmd_logs(argv[2], (unsigned)tail, &err);
	} else if ((!strcmp(argv[1], "poweroff") || !strcmp(argv[1], "reboot")) && argc == 2) {
		char *ans = NULL;
		r = ask_init(argv[1], &ans, &err);
		if (r == 0 && strncmp(ans, "ok", 2))
			r = perr_set(&err, -EIO, "init answered: %s", ans);
		free(ans);
	} else {
		usage(stderr);
		return 2;
	}
	if (r < 0) {
		char *m = perr_format(&err);
		fprintf(stderr, "paddockctl: %s\n", m ? m : "error");
		free(m);
		perr_clear(&err);
		return 1;
	}
	return 0;
}
