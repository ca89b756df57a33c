#include "services_answers.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker_api.h"
#include "pull.h"
#include "run.h"
#include "status.h"
#include "strbuf.h"

#define BUSY "error\tbusy, try again\n"

/* The status records, then each container's state; inspecting is bounded
 * by the API timeout, the whole answer by ANSWER_SECS. */
static void status(const struct answers *a, struct docker *d, struct strbuf *sb)
{
	size_t len = 0;
	char *text = status_text(&len);

	sb_add(sb, text ? text : "", text ? len : 0);
	free(text);
	for (size_t i = 0; d && i < a->nsvcs; i++) {
		struct perr err = PERR_INIT;
		struct docker_state st;
		const char *name = a->svcs[i].conf.name;
		if (docker_container_inspect(d, name, &st, &err) == 0) {
			sb_printf(sb, "container\t%s\t%s\n", name, st.status);
			docker_state_free(&st);
		} else {
			/* a role container not created yet: why, when its image is being
			 * pulled or it waits for what it depends on */
			const struct osvc *o = &a->svcs[i];
			char *pull = o->role ? pull_state_read(name) : NULL;
			sb_printf(sb, "container\t%s\t%s%s%s", name, err.code == -ENOENT ? "none" : "unknown",
				  pull ? ": " : "", pull ? pull : "");
			if (!pull && o->role && o->sv->state == SV_WAITING && o->conf.depends_on[0]) {
				sb_adds(sb, ": waiting for");
				for (char **dep = o->conf.depends_on; *dep; dep++)
					sb_printf(sb, " %s", *dep);
			}
			sb_adds(sb, "\n");
			free(pull);
		}
		perr_clear(&err);
	}
}

/* LOGS_SECS for the whole transfer: under ANSWER_SECS, so that a log cut
 * short still ends with the line that says so */
#define LOGS_SECS (ANSWER_SECS - 5)

struct to_client {
	int fd;
	size_t sent;
};

static int to_client(void *arg, const char *data, size_t len)
{
	struct to_client *c = arg;
	while (len) {
		ssize_t n = write(c->fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;  /* the client is gone */
		c->sent += (size_t)n;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The log straight to the client; an error before any of it is the
 * answer "error<TAB>WHY", after some a last line saying it was cut. */
static void logs(struct docker *d, const char *name, unsigned lines, int fd)
{
	struct perr err = PERR_INIT;
	struct to_client c = { fd, 0 };

	docker_set_timeout(d, LOGS_SECS);
	if (docker_container_logs_stream(d, name, lines, to_client, &c, &err) < 0 && err.code != -EPIPE) {
		struct strbuf sb = STRBUF_INIT;
		sb_printf(&sb, "%serror\t%s\n", c.sent ? "\n" : "", err.msg ? err.msg : "?");
		control_write_all(fd, sb.s ? sb.s : "", sb.s ? sb.len : 0);
		sb_free(&sb);
	}
	perr_clear(&err);
}

/* In the child: answer on fd, then end. */
static void __attribute__((noreturn)) answer(const struct answers *a, int fd, enum control_req req,
					     const char *name, unsigned lines)
{
	struct strbuf sb = STRBUF_INIT;
	struct perr err = PERR_INIT;
	struct docker *d = NULL;

	run_child_reset();
	signal(SIGPIPE, SIG_IGN);       /* a client gone is a failed write */
	alarm(ANSWER_SECS);
	if (docker_open(a->docker_sock ? a->docker_sock : SYSTEM_DOCKER_SOCK, &d, &err) == 0)
		docker_set_timeout(d, 2);
	if (req == CONTROL_STATUS)
		status(a, d, &sb);
	else if (d)
		logs(d, name, lines, fd);
	else
		sb_printf(&sb, "error\t%s\n", err.msg ? err.msg : "?");
	if (sb.err)
		sb_printf(&sb, "error\tanswer too large\n");
	control_write_all(fd, sb.s ? sb.s : "", sb.s ? sb.len : 0);
	_exit(0);
}

void answers_request(void *arg, struct control_client *c, enum control_req req, const char *name,
		     unsigned lines)
{
	struct answers *a = arg;
	size_t slot = CONTROL_MAX_CLIENTS;
	pid_t pid;
	int fd;

	if (req != CONTROL_STATUS && req != CONTROL_LOGS)
		return;
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS && slot == CONTROL_MAX_CLIENTS; i++)
		if (!a->pid[i])
			slot = i;
	if (slot == CONTROL_MAX_CLIENTS) {
		control_answer(c, BUSY, sizeof(BUSY) - 1);
		return;
	}
	fd = control_take(c);
	pid = fork();
	if (pid == 0)
		answer(a, fd, req, name, lines);
	if (pid < 0) {
		char msg[] = "error\tcannot fork\n";
		control_write_all(fd, msg, sizeof(msg) - 1);
	} else {
		a->pid[slot] = pid;
	}
	close(fd);
}

bool answers_reaped(struct answers *a, pid_t pid)
{
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (a->pid[i] == pid) {
			a->pid[i] = 0;
			return true;
		}
	return false;
}
