/* paddockctl: the appliance's own control command.
 *
 *   paddockctl status            stages, services, their state and restarts,
 *                                the state disk, etcd's members
 *   paddockctl logs SERVICE [-n N]
 *   paddockctl poweroff | reboot
 *
 * Talks to init's control socket (stages, init's processes, power) and to
 * paddock-services' (the os-services, their containers, their logs), so
 * it is static and needs no library in a service image.  Exit status:
 * 0 ok, 1 failure, 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "ctl_client.h"
#include "perr.h"
#include "provision.h"
#include "servicesd.h"

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

/* The docker status paddock-services reported for a service, or "-". */
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

/* Prints the records of one kind ("stage" or "service") of text, whose
 * lines are NUL-separated. */
static void print_records(char *text, size_t len, const char *kind)
{
	bool header = false;

	for (char *line = text; line < text + len; line += strlen(line) + 1) {
		char copy[1024], *f[6];
		size_t n;
		if (strlen(line) >= sizeof(copy))
			continue;
		strcpy(copy, line);
		n = fields(copy, f, 6);
		if (strcmp(f[0], kind))
			continue;
		if (n >= 4 && !strcmp(kind, "stage")) {
			printf("%-18s %-7s %8s  %s\n", f[1], f[2], f[3], n > 4 ? f[4] : "");
		} else if (n >= 6) {
			if (!header) {
				printf("\n%-18s %-9s %8s %7s %8s  %s\n", "SERVICE", "STATE", "RESTARTS", "PID",
				       "SINCE", "CONTAINER");
				header = true;
			}
			printf("%-18s %-9s %8s %7s %8s  %s\n", f[1], f[2], f[3], f[4], f[5],
			       container_of(text, len, f[1]));
		}
	}
}

/* The provisioner's files (provision.h): the state disk, its stage, etcd's
 * members, the last snapshot; nothing for a file not written yet. */
static void print_provisioner(void)
{
	const char *files[] = { STATE_DISK_STATUS, PROVISIONER_STATUS };
	bool members = false;

	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "re");
		char line[1024], *v[8];
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			size_t n = fields(line, v, 8);
			if (!strcmp(v[0], "disk") && n >= 4)
				printf("\nstate disk: %s %s: %s\n", v[1], v[2], v[3]);
			else if (!strcmp(v[0], "stage") && n >= 4)
				printf("\nprovisioner: %s (since %s s): %s\n", v[1], v[2], v[3]);
			else if (!strcmp(v[0], "member") && n >= 7) {
				if (!members)
					printf("\n%-16s %-14s %-28s %-7s %-6s  %s\n", "ETCD MEMBER", "NAME", "PEER URL",
					       "ROLE", "LEADER", "HEALTH");
				members = true;
				printf("%-16s %-14s %-28s %-7s %-6s  %s\n", v[1], v[2], v[3], v[4], v[5], v[6]);
			}
			else if (!strcmp(v[0], "snapshot") && n >= 6)
				printf("\nlast etcd snapshot: %s (%s, %s bytes, %s; %s kept)\n", v[1], v[2], v[3], v[4],
				       v[5]);
			else if (!strcmp(v[0], "snapshot-failed") && n >= 2)
				printf("\netcd snapshot failed: %s\n", v[1]);
		}
		fclose(f);
	}
}

/* init's stages and processes, then paddock-services' (absent while System
 * Docker starts), then the provisioner's. */
static int cmd_status(struct perr *err)
{
	struct perr serr = PERR_INIT;
	char *mine = NULL, *svcs = NULL, *text = NULL;
	size_t len;
	int r;

	if ((r = ctl_ask(CONTROL_SOCK, "status", &mine, err)) < 0)
		return r;
	if (ctl_ask(SERVICES_SOCK, "status", &svcs, &serr) < 0)
		fprintf(stderr, "paddockctl: no os-services yet: %s\n", serr.msg ? serr.msg : "?");
	perr_clear(&serr);
	if (asprintf(&text, "%s%s", mine, svcs ? svcs : "") < 0)
		text = NULL;
	free(mine);
	free(svcs);
	if (!text)
		return perr_set(err, -ENOMEM, "out of memory");
	len = strlen(text);
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = '\0';
	printf("%-18s %-7s %8s  %s\n", "STAGE", "RESULT", "SECONDS", "DETAIL");
	print_records(text, len, "stage");
	print_records(text, len, "service");
	free(text);
	print_provisioner();
	return 0;
}

/* The log streamed to stdout: any length, in a buffer's worth of memory. */
static int cmd_logs(const char *svc, unsigned tail, struct perr *err)
{
	char *req = NULL;
	int r;

	if (strchr(svc, ' ') || strchr(svc, '\t') || strchr(svc, '\n') || !*svc)
		return perr_set(err, -EINVAL, "bad service name '%s'", svc);
	if (asprintf(&req, "logs %s %u", svc, tail) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	fflush(stdout);
	r = ctl_ask_to(SERVICES_SOCK, req, STDOUT_FILENO, err);
	free(req);
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
		r = ctl_ask(CONTROL_SOCK, argv[1], &ans, &err);
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
