#include "prov_status.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "strbuf.h"

/* s with tabs and newlines as spaces. */
static void field(struct strbuf *sb, const char *s)
{
	sb_add(sb, "\t", 1);
	if (!s || !*s) {
		sb_add(sb, "-", 1);
		return;
	}
	for (; *s; s++)
		sb_add(sb, *s == '\t' || *s == '\n' ? " " : s, 1);
}

char *prov_status_text(const struct prov_status *s)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "stage");
	field(&sb, s->stage);
	sb_printf(&sb, "\t%.2f", s->since);
	field(&sb, s->detail);
	sb_add(&sb, "\n", 1);
	for (size_t i = 0; i < s->nmembers; i++) {
		const struct etcd_member *m = &s->members[i];
		sb_printf(&sb, "member\t%016llx", (unsigned long long)m->id);
		field(&sb, *m->name ? m->name : "(not started)");
		field(&sb, m->peer_url);
		field(&sb, m->learner ? "learner" : "voter");
		field(&sb, m->id == s->leader && s->leader ? "leader" : "-");
		field(&sb, s->health && s->health[i] ? s->health[i] : "?");
		sb_add(&sb, "\n", 1);
	}
	if (s->snapshot && *s->snapshot->name) {
		char ts[32];
		struct tm tm;
		if (!gmtime_r(&s->snapshot->time, &tm) || !strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm))
			snprintf(ts, sizeof(ts), "?");
		sb_adds(&sb, "snapshot");
		field(&sb, s->snapshot->name);
		sb_printf(&sb, "\t%s\t%llu\t%s\t%u\n", ts, s->snapshot->size,
			  s->snapshot->verified ? "verified" : "unverified", s->snapshot->kept);
	}
	if (s->snapshot_error) {
		sb_adds(&sb, "snapshot-failed");
		field(&sb, s->snapshot_error);
		sb_add(&sb, "\n", 1);
	}
	return sb_steal(&sb);
}

int prov_status_write(const char *path, const struct prov_status *s, struct perr *err)
{
	char *t = prov_status_text(s);
	int r;

	if (!t)
		return perr_set(err, -ENOMEM, "out of memory");
	r = write_file(path, t, strlen(t), 0644, err);
	free(t);
	return r;
}
