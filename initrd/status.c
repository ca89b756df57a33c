#include "status.h"

#include "console.h"
#include "strbuf.h"
#include "supervise.h"

char *status_text(size_t *ret_len)
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
