#define _XOPEN_SOURCE 700
#include "etcd_restore.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "etcd_oneshot.h"
#include "fsutil.h"
#include "snapshot.h"
#include "strbuf.h"

#define CONTAINER "etcd-restore"
#define FRESH "restore-tmp"

static unsigned own_uid, own_gid;

static int chown_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return lchown(path, own_uid, own_gid) < 0 ? -1 : 0;
}

/* true when the marker names snapshot */
static bool restored_before(const char *marker, const char *snapshot)
{
	char buf[256];
	FILE *f = fopen(marker, "re");
	bool same = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		same = !strcmp(buf, snapshot);
	}
	fclose(f);
	return same;
}

static int run(struct docker *d, const struct etcd_conf *ec, char *const argv[], char **out, struct perr *err)
{
	char line[200];
	int code, r = etcd_oneshot(d, ec, CONTAINER, argv, &code, out, err);

	if (r == 0 && code != 0)
		r = perr_set(err, -EIO, "etcdctl snapshot %s exited with %d: %s", argv[2], code,
			     oneshot_last_line(*out, line, sizeof(line)));
	return r;
}

/* The fresh member in place of the old one (kept as member.pre-restore). */
static int swap_in(const struct etcd_conf *ec, const char *fresh, struct perr *err)
{
	char *member = path_join(ec->data_dir, "member"), *old = path_join(ec->data_dir, "member.pre-restore");
	char *new_member = path_join(fresh, "member");
	struct stat st;
	int r = 0;

	if (!member || !old || !new_member)
		r = perr_set(err, -ENOMEM, "out of memory");
	else if (stat(new_member, &st) < 0)
		r = perr_set(err, -errno, "etcdctl snapshot restore made no %s", new_member);
	else if (rm_rf(old, err) < 0)
		r = -EIO;
	else if (rename(member, old) < 0 && errno != ENOENT)
		r = perr_set(err, -errno, "%s: %s", member, strerror(errno));
	else if (rename(new_member, member) < 0)
		r = perr_set(err, -errno, "%s: %s", member, strerror(errno));
	else if (ec->has_user) {
		own_uid = ec->uid;
		own_gid = ec->gid;
		if (nftw(member, chown_one, 16, FTW_PHYS) != 0)
			r = perr_set(err, -errno, "%s: chown %u:%u: %s", member, ec->uid, ec->gid, strerror(errno));
	}
	free(member);
	free(old);
	free(new_member);
	return r;
}

int etcd_restore(struct docker *d, const struct etcd_conf *ec, const char *snapshot, bool *ret_done,
		 struct perr *err)
{
	struct snapshot_status st;
	struct strbuf cpath = STRBUF_INIT, cfresh = STRBUF_INIT;
	const char *ddir = etcd_flag(&ec->sc, "data-dir"), *token = etcd_flag(&ec->sc, "initial-cluster-token");
	const char *ic = etcd_flag(&ec->sc, "initial-cluster"), *url = etcd_flag(&ec->sc, "initial-advertise-peer-urls");
	char *marker = NULL, *fresh = NULL, *out = NULL, *host_snap = NULL;
	struct stat sb;
	int r;

	*ret_done = false;
	if (!snapshot)
		return 0;
	if (!(marker = path_join(ec->data_dir, RESTORE_MARKER)) || !(fresh = path_join(ec->data_dir, FRESH)) ||
	    !(host_snap = path_join(SNAPSHOT_DIR, snapshot))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (restored_before(marker, snapshot)) {
		r = 0;
		goto out;
	}
	if (!ddir || !ic || !url) {
		r = perr_set(err, -EINVAL, "etcd's conf lacks --data-dir, --initial-cluster or "
			     "--initial-advertise-peer-urls");
		goto out;
	}
	if (stat(host_snap, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		r = perr_set(err, -ENOENT, "restore: no snapshot %s in %s", snapshot, SNAPSHOT_DIR);
		goto out;
	}
	sb_printf(&cpath, "%s/%s", SNAPSHOT_DIR, snapshot);
	sb_printf(&cfresh, "%s%s" FRESH, ddir, ddir[strlen(ddir) - 1] == '/' ? "" : "/");
	char *status[] = { "etcdctl", "snapshot", "status", "-w", "json", cpath.s, NULL };
	if ((r = run(d, ec, status, &out, err)) < 0 || (r = snapshot_status_parse(out, &st, err)) < 0) {
		perr_wrap(err, "restore: snapshot %s does not check out; etcd not started from it, its data "
			  "left as it was", snapshot);
		goto out;
	}
	free(out);
	out = NULL;
	if ((r = rm_rf(fresh, err)) < 0)
		goto out;
	char *restore[] = { "etcdctl", "snapshot", "restore", cpath.s, "--data-dir", cfresh.s, "--name",
			    ec->name, "--initial-cluster", (char *)ic, "--initial-cluster-token",
			    (char *)(token ? token : "etcd-cluster-1"), "--initial-advertise-peer-urls",
			    (char *)url, NULL };
	if ((r = run(d, ec, restore, &out, err)) < 0 || (r = swap_in(ec, fresh, err)) < 0) {
		perr_wrap(err, "restore of %s", snapshot);
		goto out;
	}
	if ((r = write_file(marker, snapshot, strlen(snapshot), 0600, err)) < 0)
		goto out;
	console_line("etcd restored from %s (revision %llu, %llu keys); the earlier data is in "
		     "member.pre-restore", snapshot, st.revision, st.total_keys);
	*ret_done = true;
out:
	if (fresh) {
		struct perr e2 = PERR_INIT;
		rm_rf(fresh, &e2);
		perr_clear(&e2);
	}
	sb_free(&cpath);
	sb_free(&cfresh);
	free(marker);
	free(fresh);
	free(out);
	free(host_snap);
	return r;
}
