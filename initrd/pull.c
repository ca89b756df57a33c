#include "pull.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "fsutil.h"
#include "registry_auth.h"

#define STATE_LINE_MAX 480

double pull_backoff(unsigned n)
{
	double s = PULL_FIRST_SECS;

	while (n-- > 1 && s < PULL_MAX_SECS)
		s *= 2;
	return s < PULL_MAX_SECS ? s : PULL_MAX_SECS;
}

char *pull_state_line(const char *image, enum docker_pull_fail c, const char *msg, unsigned attempt,
		      double retry_in)
{
	char *host = registry_of_image(image), *line = NULL;

	if (host && asprintf(&line, "%s from %s: %.200s (attempt %u, retry in %.0f s)",
			     docker_pull_fail_name(c), host, msg ? msg : "?", attempt, retry_in) < 0)
		line = NULL;
	free(host);
	/* one line, whatever the daemon's message held */
	for (char *p = line; p && *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	return line;
}

static char *state_path(const char *name)
{
	char *p = NULL;

	if (asprintf(&p, PULL_STATE_DIR "/%s", name) < 0)
		return NULL;
	return p;
}

static void state_write(const char *name, const char *line)
{
	struct perr err = PERR_INIT;
	char *p = state_path(name);

	mkdir(PULL_STATE_DIR, 0755);
	if (p && line)
		write_file(p, line, strlen(line), 0644, &err);
	perr_clear(&err);
	free(p);
}

char *pull_state_read(const char *name)
{
	char buf[STATE_LINE_MAX + 1], *p = state_path(name);
	ssize_t n = -1;
	FILE *f = p ? fopen(p, "re") : NULL;

	free(p);
	if (!f)
		return NULL;
	n = (ssize_t)fread(buf, 1, STATE_LINE_MAX, f);
	fclose(f);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

int pull_until_present(struct docker *d, const char *name, const char *image, struct perr *err)
{
	unsigned attempt = 0;
	int r;

	for (;;) {
		enum docker_pull_fail c;
		char *auth = NULL, *line;
		double wait;
		if ((r = docker_image_exists(d, image, err)) == 0)
			break;
		if (r != -ENOENT)
			return r;
		perr_clear(err);
		attempt++;
		if (attempt == 1)
			console_line("container %s: pulling %s", name, image);
		if ((r = registry_auth_header_file(REGISTRY_AUTH_PATH, image, &auth, err)) < 0) {
			c = DOCKER_PULL_AUTH;
		} else {
			r = docker_image_pull(d, image, auth, &c, err);
			if (auth)
				memset(auth, 0, strlen(auth));
			free(auth);
		}
		if (r == 0 && (r = docker_image_exists(d, image, err)) == 0)
			break;
		if (r == -ENOENT && !err->msg)
			perr_set(err, r, "the pull ended without the image");
		wait = pull_backoff(attempt);
		line = pull_state_line(image, c, err->msg, attempt, wait);
		console_line("container %s: %s", name, line ? line : "pull failed");
		state_write(name, line);
		free(line);
		perr_clear(err);
		sleep_s(wait);
	}
	if (attempt) {
		char *p = state_path(name);
		if (p)
			unlink(p);
		free(p);
		console_line("container %s: pulled %s", name, image);
	}
	return 0;
}
