#include "requests.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "control.h"
#include "strbuf.h"

/* Container states for `paddockctl status`; the API timeout bounds it. */
static void append_containers(struct init *in, struct strbuf *sb)
{
	for (size_t i = 0; i < in->nsvcs; i++) {
		struct perr err = PERR_INIT;
		struct docker_state st;
		if (docker_container_inspect(in->api, in->svcs[i].conf.name, &st, &err) == 0) {
			sb_printf(sb, "container\t%s\t%s\n", in->svcs[i].conf.name, st.status);
			docker_state_free(&st);
		} else {
			sb_printf(sb, "container\t%s\t%s\n", in->svcs[i].conf.name,
				  err.code == -ENOENT ? "none" : "unknown");
		}
		perr_clear(&err);
	}
}

void requests_answer(struct init *in)
{
	enum control_req req;
	unsigned lines = 0;
	char *name = NULL;
	int fd, r;

	while ((req = control_accept(in->cfd, &fd, &name, &lines)) != CONTROL_NONE || fd >= 0) {
		if (req == CONTROL_STATUS) {
			struct strbuf sb = STRBUF_INIT;
			size_t len = 0;
			char *text = control_status_text(&len);
			sb_add(&sb, text ? text : "", text ? len : 0);
			free(text);
			if (in->phase != PH_DOCKER)
				append_containers(in, &sb);
			control_reply(fd, sb.s ? sb.s : "", sb.s ? sb.len : 0);
			sb_free(&sb);
		} else if (req == CONTROL_LOGS) {
			struct perr err = PERR_INIT;
			char *logs = NULL;
			size_t len = 0;
			/* logs can be long and TCG slow: a longer bound than status */
			docker_set_timeout(in->api, 15);
			r = docker_container_logs(in->api, name, lines, &logs, &len, &err);
			docker_set_timeout(in->api, 2);
			if (r == 0) {
				control_reply(fd, logs, len);
			} else {
				struct strbuf sb = STRBUF_INIT;
				sb_printf(&sb, "error\t%s\n", err.msg ? err.msg : "?");
				control_reply(fd, sb.s ? sb.s : "", sb.s ? sb.len : 0);
				sb_free(&sb);
			}
			free(logs);
			perr_clear(&err);
		} else if (req == CONTROL_POWEROFF || req == CONTROL_REBOOT) {
			control_reply(fd, "ok\n", 3);
			in->shutdown = req == CONTROL_POWEROFF ? RB_POWER_OFF : RB_AUTOBOOT;
		}
		free(name);
		name = NULL;
		if (fd >= 0)
			close(fd);
	}
}
