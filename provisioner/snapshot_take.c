#include "snapshot_take.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "disk_full.h"
#include "etcd_oneshot.h"
#include "fsutil.h"
#include "strv.h"

/* a failed snapshot is tried again after this, or the interval if shorter */
#define RETRY_SECS 300

void snapshots_setup(struct snapshots *s)
{
	struct nodecfg cfg = { 0 };
	struct perr err = PERR_INIT;
	const char *node;

	memset(s, 0, sizeof(*s));
	if (nodecfg_load(NODECFG_PATH, &cfg, &err) < 0 || snapshot_policy_read(&cfg, &s->policy, &err) < 0) {
		console_line("etcd snapshots: %s; no snapshots, no restore", err.msg);
		snapshot_policy_free(&s->policy);
		s->policy.interval_secs = 0;
	}
	node = nodecfg_get(&cfg, "node.name");
	snprintf(s->node, sizeof(s->node), "%s", node && *node ? node : "node");
	perr_clear(&err);
	nodecfg_free(&cfg);
}

void snapshots_free(struct snapshots *s)
{
	snapshot_policy_free(&s->policy);
	free(s->error);
	s->error = NULL;
}

static void __attribute__((format(printf, 2, 3))) failed(struct snapshots *s, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	console_line("etcd snapshot failed: %s; older snapshots kept, next try in %ld s", msg ? msg : "?",
		     s->policy.interval_secs < RETRY_SECS ? s->policy.interval_secs : RETRY_SECS);
	free(s->error);
	s->error = msg;
}

/* Removes what an interrupted attempt left ("tmp-*", etcdctl's ".part" too). */
static void drop_leftovers(char **names)
{
	for (size_t i = 0; names && names[i]; i++) {
		if (strncmp(names[i], SNAPSHOT_TMP_PREFIX, strlen(SNAPSHOT_TMP_PREFIX)))
			continue;
		char *p = path_join(SNAPSHOT_DIR, names[i]);
		if (p)
			unlink(p);
		free(p);
	}
}

/* Removes the oldest snapshots beyond the retention; *ret_newest: the
 * newest's time (-1: none). */
static void prune(struct snapshots *s, time_t *ret_newest)
{
	struct perr err = PERR_INIT;
	char **names = NULL;
	size_t n = 0, *drop = NULL, ndrop = 0;

	*ret_newest = -1;
	if (dir_list_sorted(SNAPSHOT_DIR, "", &names, &n, &err) < 0) {
		perr_clear(&err);
		return;
	}
	drop_leftovers(names);
	if (snapshot_prune_list(names, n, s->policy.retention, &drop, &ndrop, ret_newest) < 0)
		ndrop = 0;
	s->last.kept = 0;
	for (size_t i = 0; i < n; i++)
		s->last.kept += snapshot_name_time(names[i]) >= 0;
	for (size_t k = 0; k < ndrop; k++) {
		char *p = path_join(SNAPSHOT_DIR, names[drop[k]]);
		if (p && unlink(p) == 0) {
			s->last.kept--;
			console_line("etcd snapshot %s removed (keeping %ld)", names[drop[k]], s->policy.retention);
		}
		free(p);
	}
	free(drop);
	strv_free(names);
}

/* save, then status, in one container (each costs seconds to start):
 * their exit codes tell which failed; etcdctl's own deadline is within
 * the provisioner's (SNAPSHOT_DEADLINE_SECS) */
#define SAVE_AND_CHECK                                                                                       \
	"etcdctl --command-timeout=120s snapshot save \"$1\" || exit 90; "                                   \
	"etcdctl snapshot status -w json \"$1\" || exit 91"

static int take(struct docker *d, const struct etcd_conf *ec, const char *node, time_t now,
		struct snapshot_result *res, struct perr *err)
{
	char name[128], tmp[160], part[sizeof(tmp) + 5], line[200], *dst = NULL, *out = NULL;
	struct snapshot_status st;
	struct stat sb;
	double t0 = boot_seconds();
	int r, code;

	if (snapshot_name(node, now, name, sizeof(name)) < 0)
		return perr_set(err, -ENAMETOOLONG, "node name too long for a snapshot name");
	snprintf(res->name, sizeof(res->name), "%s", name);
	snprintf(tmp, sizeof(tmp), SNAPSHOT_DIR "/" SNAPSHOT_TMP_PREFIX "%s", name);
	char *argv[] = { "/bin/sh", "-c", SAVE_AND_CHECK, "sh", tmp, NULL };
	if ((r = etcd_oneshot(d, ec, SNAPSHOT_CONTAINER, argv, &code, &out, err)) < 0)
		goto out;
	if (code != 0) {
		r = perr_set(err, -EIO, "%s: etcdctl snapshot %s exited: %s", name,
			     code == 90 ? "save" : code == 91 ? "status" : "(sh)",
			     oneshot_last_line(out, line, sizeof(line)));
		goto out;
	}
	if ((r = snapshot_status_parse(out, &st, err)) < 0) {
		perr_wrap(err, "%s does not check out", name);
		goto out;
	}
	if (!(dst = path_join(SNAPSHOT_DIR, name))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (rename(tmp, dst) < 0 || stat(dst, &sb) < 0) {
		r = perr_set(err, -errno, "%s: %s", dst, strerror(errno));
		goto out;
	}
	res->size = (unsigned long long)sb.st_size;
	res->revision = st.revision;
	res->keys = st.total_keys;
	res->secs = boot_seconds() - t0;
out:
	if (r < 0) {
		/* the room left, before anything is removed */
		res->free_bytes = disk_free_bytes(SNAPSHOT_DIR);
		/* etcdctl removes its ".part" itself, unless stopped mid-write */
		snprintf(part, sizeof(part), "%s.part", tmp);
		unlink(tmp);
		unlink(part);
	}
	free(out);
	free(dst);
	return r;
}

void snapshot_take(struct docker *d, const struct etcd_conf *ec, const char *node, time_t now,
		   struct snapshot_result *res)
{
	struct perr err = PERR_INIT;

	memset(res, 0, sizeof(*res));
	res->free_bytes = -1;
	res->r = take(d, ec, node, now, res, &err);
	if (res->r < 0)
		snprintf(res->msg, sizeof(res->msg), "%s", err.msg ? err.msg : "?");
	perr_clear(&err);
}

bool snapshots_due(struct snapshots *s, time_t now)
{
	time_t newest;

	if (s->policy.interval_secs <= 0)
		return false;
	if (!s->next_due) {
		prune(s, &newest);
		s->next_due = snapshot_next_due(newest, s->policy.interval_secs, now);
	}
	return now >= s->next_due;
}

void snapshots_done(struct snapshots *s, const struct snapshot_result *res, time_t now)
{
	time_t newest;
	long retry;

	if (res->r < 0) {
		/* a snapshot needs about the last one's size: less room than
		 * that is a full disk, whatever etcdctl managed to print */
		long long need = (long long)s->last.size + DISK_FULL_ROOM;
		char *full = disk_full_reason(res->msg, SNAPSHOT_DIR, res->free_bytes, need);
		failed(s, "%s", full ? full : res->msg);
		free(full);
		/* what it left (a killed etcdctl's files) goes */
		prune(s, &newest);
		retry = s->policy.interval_secs < RETRY_SECS ? s->policy.interval_secs : RETRY_SECS;
		s->next_due = now + retry;
		return;
	}
	snprintf(s->last.name, sizeof(s->last.name), "%s", res->name);
	s->last.time = snapshot_name_time(res->name);
	if (s->last.time < 0)
		s->last.time = now;
	s->last.size = res->size;
	s->last.verified = true;
	console_line("etcd snapshot %s: %llu bytes, revision %llu, %llu keys, checked, in %.1f s", res->name,
		     res->size, res->revision, res->keys, res->secs);
	free(s->error);
	s->error = NULL;
	prune(s, &newest);
	s->next_due = now + s->policy.interval_secs;
}
