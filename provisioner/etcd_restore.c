#include "etcd_restore.h"

#include <errno.h>
#include <fcntl.h>
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
#include "strv.h"

#define CONTAINER "etcd-restore"
#define FRESH "restore-tmp"
#define PRE "member.pre-restore"
#define JOURNAL "journal"
#define JOURNAL_MAX 4096
/* snapshots named in a refusal, newest first */
#define GOOD_MAX 8

/* The journal's states, in the order a restore goes through them:
 *   begun: the data etcd had is still in member (none when there is no
 *          member; or, after a cut before "moved" was written, in
 *          member.pre-restore with no member); member.pre-restore holds
 *          nothing else.
 *   moved: the data etcd had is in member.pre-restore (none when there
 *          is no member.pre-restore); a member is the snapshot's data.
 *   done:  the snapshot's data is etcd's. */
enum jstate { J_NONE, J_BEGUN, J_MOVED, J_DONE };
static const char *const jstate_names[] = { "none", "begun", "moved", "done" };

struct restore {
	const struct etcd_restore_ops *ops;
	const struct etcd_conf *ec;
	const char *snapshot;
	char *member, *pre, *fresh, *fresh_member, *legacy;
	int jfd;                /* the journal's folder */
	enum jstate state;
	char *jname;            /* the snapshot the journal is about */
	bool refused;           /* the snapshot did not check out */
};

static int oom(struct perr *err)
{
	return perr_set(err, -ENOMEM, "out of memory");
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int step(struct restore *x, const char *name, struct perr *err)
{
	if (x->ops->step && x->ops->step(x->ops->ctx, name) < 0)
		return perr_set(err, -EINTR, "restore stopped after: %s", name);
	return 0;
}

static int sync_dir_fd(int fd, const char *path, struct perr *err)
{
	if (fsync(fd) < 0)
		return perr_set(err, -errno, "%s: fsync: %s", path, strerror(errno));
	return 0;
}

/* A rename in the data folder, on the disk before the journal says so. */
static int sync_data_dir(const struct restore *x, struct perr *err)
{
	int fd = open(x->ec->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", x->ec->data_dir, strerror(errno));
	r = sync_dir_fd(fd, x->ec->data_dir, err);
	close(fd);
	return r;
}

/* rename that never replaces what is at to (a plain rename would replace
 * an empty folder there). */
static int move(const struct restore *x, const char *from, const char *to, struct perr *err)
{
	int r = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);

	if (r < 0 && errno == EINVAL) {
		if (exists(to))
			errno = EEXIST;
		else
			r = rename(from, to);
	}
	if (r < 0)
		return perr_set(err, -errno, "rename %s to %s: %s", from, to, strerror(errno));
	return sync_data_dir(x, err);
}

static int remove_tree(const struct restore *x, const char *path, struct perr *err)
{
	if (rm_rf(path, err) < 0)
		return -EIO;
	return sync_data_dir(x, err);
}

/* Root's folder for the journal: made if need be (when create), and
 * refused when it is not root's own (then someone else could put a link
 * where root writes).  x->jfd stays -1 when it is missing and !create. */
static int journal_open(struct restore *x, bool create, struct perr *err)
{
	const char *dir = x->ops->journal_dir;
	struct stat st;

	if (create && mkdir_p(dir, 0700, err) < 0)
		return -EIO;
	x->jfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x->jfd < 0)
		return !create && errno == ENOENT ? 0 : perr_set(err, -errno, "%s: %s", dir, strerror(errno));
	if (fstat(x->jfd, &st) < 0)
		return perr_set(err, -errno, "%s: %s", dir, strerror(errno));
	if (st.st_uid != geteuid())
		return perr_set(err, -EPERM, "%s belongs to uid %u, not to %u: the restore keeps its journal "
				"only in a folder of its own", dir, (unsigned)st.st_uid, (unsigned)geteuid());
	if ((st.st_mode & 07777) != 0700 && fchmod(x->jfd, 0700) < 0)
		return perr_set(err, -errno, "%s: chmod: %s", dir, strerror(errno));
	return 0;
}

/* "STATE NAME\n" */
static int journal_read(struct restore *x, struct perr *err)
{
	char buf[JOURNAL_MAX + 1], *sp;
	ssize_t n;
	int fd;

	x->state = J_NONE;
	if (x->jfd < 0)
		return 0;
	if ((fd = openat(x->jfd, JOURNAL, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : perr_set(err, -errno, "%s/%s: %s", x->ops->journal_dir, JOURNAL,
						      strerror(errno));
	n = fd_read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > JOURNAL_MAX)
		return perr_set(err, n < 0 ? (int)n : -EFBIG, "%s/%s: %s", x->ops->journal_dir, JOURNAL,
				n < 0 ? strerror((int)-n) : "too long");
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if ((sp = strchr(buf, ' ')) && sp[1]) {
		*sp = '\0';
		for (int s = J_BEGUN; s <= J_DONE; s++)
			if (!strcmp(buf, jstate_names[s]))
				x->state = (enum jstate)s;
	}
	if (x->state == J_NONE)
		return perr_set(err, -EINVAL, "%s/%s: not a restore journal (removed, the restore starts over and "
				"keeps any member.pre-restore it finds)", x->ops->journal_dir, JOURNAL);
	if (!(x->jname = strdup(sp + 1)))
		return oom(err);
	return 0;
}

/* Written as write_file writes (a new random temporary, O_EXCL|O_NOFOLLOW,
 * synced, renamed, the folder synced), in root's own folder
 * (journal_open checked it). */
static int journal_set(struct restore *x, enum jstate s, const char *name, struct perr *err)
{
	struct strbuf line = STRBUF_INIT;
	char *copy = strdup(name), *path = path_join(x->ops->journal_dir, JOURNAL);
	int r;

	sb_printf(&line, "%s %s\n", jstate_names[s], name);
	if (!copy || !path || line.err)
		r = oom(err);
	else if ((r = write_file(path, line.s, line.len, 0600, err)) == 0) {
		x->state = s;
		free(x->jname);
		x->jname = copy;
		copy = NULL;
	}
	free(path);
	free(copy);
	sb_free(&line);
	return r;
}

static int journal_clear(struct restore *x, struct perr *err)
{
	if (unlinkat(x->jfd, JOURNAL, 0) < 0 && errno != ENOENT)
		return perr_set(err, -errno, "%s/%s: %s", x->ops->journal_dir, JOURNAL, strerror(errno));
	x->state = J_NONE;
	return sync_dir_fd(x->jfd, x->ops->journal_dir, err);
}

/* true when an earlier build's marker in the data folder names snapshot.
 * Read without following a link: etcd's uid owns that folder. */
static bool legacy_names(const struct restore *x, const char *snapshot)
{
	size_t len = strlen(snapshot);
	char *buf = malloc(len + 2);
	int fd = open(x->legacy, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	bool same = false;

	if (buf && fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		ssize_t n = fd_read(fd, buf, len + 1);
		same = n >= (ssize_t)len && !memcmp(buf, snapshot, len) && (n == (ssize_t)len || buf[len] == '\n');
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return same;
}

static int etcdctl(const struct restore *x, char *const argv[], char **out, struct perr *err)
{
	char line[200];
	int code, r = x->ops->etcdctl(x->ops->ctx, argv, &code, out, err);

	if (r == 0 && code != 0)
		r = perr_set(err, -EIO, "etcdctl snapshot %s exited with %d: %s", argv[2], code,
			     oneshot_last_line(*out, line, sizeof(line)));
	return r;
}

/* etcdctl snapshot status of SNAPSHOT_DIR/name into *st */
static int check(const struct restore *x, const char *name, struct snapshot_status *st, struct perr *err)
{
	char *path = path_join(x->ops->snapshot_dir, name), *out = NULL;
	struct stat sb;
	int r;

	if (!path)
		return oom(err);
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		r = perr_set(err, -ENOENT, "there is no file %s in %s", name, x->ops->snapshot_dir);
	} else {
		char *argv[] = { "etcdctl", "snapshot", "status", "-w", "json", path, NULL };
		if ((r = etcdctl(x, argv, &out, err)) == 0)
			r = snapshot_status_parse(out, st, err);
	}
	free(out);
	free(path);
	return r;
}

/* Verdicts of snapshot status on files as they were (a refusal is tried
 * again every minute: the folder is not checked again each time). */
struct verdict {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool good;
};
static struct verdict verdicts[32];
static unsigned next_verdict;

static bool checks_out(const struct restore *x, const char *name)
{
	char *path = path_join(x->ops->snapshot_dir, name);
	struct snapshot_status st;
	struct perr e = PERR_INIT;
	struct stat sb;
	struct verdict *v;
	bool good;

	if (!path || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		free(path);
		return false;
	}
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		v = &verdicts[i];
		if (v->path && !strcmp(v->path, path) && v->dev == sb.st_dev && v->ino == sb.st_ino &&
		    v->size == sb.st_size && v->mtime.tv_sec == sb.st_mtim.tv_sec &&
		    v->mtime.tv_nsec == sb.st_mtim.tv_nsec) {
			free(path);
			return v->good;
		}
	}
	good = check(x, name, &st, &e) == 0;
	perr_clear(&e);
	v = &verdicts[next_verdict++ % (sizeof(verdicts) / sizeof(verdicts[0]))];
	free(v->path);
	*v = (struct verdict){ path, sb.st_dev, sb.st_ino, sb.st_size, sb.st_mtim, good };
	return good;
}

/* A refused restore (why in *err): the snapshots that check out, and
 * the ways forward. */
static int refused(struct restore *x, int r, struct perr *err)
{
	struct strbuf good = STRBUF_INIT;
	char **names = NULL, *why = strdup(err->msg ? err->msg : "");
	size_t n = 0, found = 0;
	struct perr e = PERR_INIT;

	x->refused = true;
	if (dir_list_sorted(x->ops->snapshot_dir, "", &names, &n, &e) < 0)
		n = 0;
	/* snapshot names sort by time: newest last */
	for (size_t i = n; i-- > 0 && found < GOOD_MAX;) {
		if (!strcmp(names[i], x->snapshot) ||
		    !strncmp(names[i], SNAPSHOT_TMP_PREFIX, strlen(SNAPSHOT_TMP_PREFIX)) || !checks_out(x, names[i]))
			continue;
		sb_printf(&good, "%s%s", found++ ? ", " : "", names[i]);
	}
	if (found)
		perr_set(err, r, "restore: snapshot %s does not check out; etcd not started from it, its data left as "
			 "it was: %s. Snapshots in %s that check out%s: %s. To go on, either set restore.snapshot_name "
			 "in cluster.yml to one of them, or remove restore: from cluster.yml (etcd then starts from the "
			 "data it has); then rebuild and boot this node from the new build", x->snapshot,
			 why ? why : "", x->ops->snapshot_dir, found == GOOD_MAX ? " (the newest)" : "",
			 good.s ? good.s : "");
	else
		perr_set(err, r, "restore: snapshot %s does not check out; etcd not started from it, its data left as "
			 "it was: %s. No snapshot in %s checks out. To go on, either put a good snapshot there and set "
			 "restore.snapshot_name in cluster.yml to it, or remove restore: from cluster.yml (etcd then "
			 "starts from the data it has); then rebuild and boot this node from the new build",
			 x->snapshot, why ? why : "", x->ops->snapshot_dir);
	strv_free(names);
	sb_free(&good);
	perr_clear(&e);
	free(why);
	return r;
}

static unsigned own_uid, own_gid;

static int chown_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return lchown(path, own_uid, own_gid) < 0 ? -1 : 0;
}

/* etcdctl snapshot restore into the fresh folder (what an earlier try
 * left there removed first) */
static int restore_fresh(struct restore *x, struct perr *err)
{
	const struct etcd_conf *ec = x->ec;
	const char *ddir = etcd_flag(&ec->sc, "data-dir"), *token = etcd_flag(&ec->sc, "initial-cluster-token");
	const char *ic = etcd_flag(&ec->sc, "initial-cluster"), *url = etcd_flag(&ec->sc, "initial-advertise-peer-urls");
	struct strbuf cfresh = STRBUF_INIT;
	char *cpath = path_join(x->ops->snapshot_dir, x->snapshot), *out = NULL;
	int r;

	sb_printf(&cfresh, "%s%s" FRESH, ddir, ddir[strlen(ddir) - 1] == '/' ? "" : "/");
	if (!cpath || cfresh.err) {
		r = oom(err);
		goto out;
	}
	char *argv[] = { "etcdctl", "snapshot", "restore", cpath, "--data-dir", cfresh.s, "--name", ec->name,
			 "--initial-cluster", (char *)ic, "--initial-cluster-token",
			 (char *)(token ? token : "etcd-cluster-1"), "--initial-advertise-peer-urls", (char *)url, NULL };
	if ((r = remove_tree(x, x->fresh, err)) < 0 || (r = step(x, "fresh folder cleared", err)) < 0)
		goto out;
	if ((r = etcdctl(x, argv, &out, err)) < 0)
		goto out;
	if (!is_dir(x->fresh_member))
		r = perr_set(err, -EIO, "etcdctl snapshot restore made no %s", x->fresh_member);
	else
		r = step(x, "snapshot restored into the fresh folder", err);
out:
	free(cpath);
	free(out);
	sb_free(&cfresh);
	return r;
}

/* A member.pre-restore found when a restore begins: the data before an
 * earlier restore that is done (replaced now, as the member it was
 * replaced by is kept in its turn), or else one nobody can vouch for:
 * kept beside it under a new name.  With no member, it is the data etcd
 * had (a restore of an earlier build cut short): it stays where it is. */
static int pre_restore_set_aside(struct restore *x, struct perr *err)
{
	struct strbuf aside = STRBUF_INIT;
	int r = 0;

	if (!exists(x->pre) || !exists(x->member))
		return 0;
	if (x->state == J_DONE)
		return remove_tree(x, x->pre, err);
	for (unsigned i = 1; r == 0; i++) {
		sb_free(&aside);
		sb_printf(&aside, "%s.%u", x->pre, i);
		if (aside.err)
			r = oom(err);
		else if (!exists(aside.s))
			break;
	}
	if (r == 0 && (r = move(x, x->pre, aside.s, err)) == 0)
		console_line("etcd restore: %s, of no restore this node recorded, kept as %s", x->pre, aside.s);
	sb_free(&aside);
	return r;
}

/* node.conf names no snapshot, and a restore is unfinished: the data etcd
 * had back in place of what was restored. */
static int roll_back(struct restore *x, bool *ret_done, struct perr *err)
{
	int r = 0;

	if (x->state == J_MOVED && exists(x->member))
		r = remove_tree(x, x->member, err);
	if (r == 0 && !exists(x->member) && exists(x->pre))
		r = move(x, x->pre, x->member, err);
	if (r == 0 && (r = remove_tree(x, x->fresh, err)) == 0 && (r = journal_clear(x, err)) == 0) {
		console_line("etcd: the restore of %s was not finished and none is asked for now: etcd's earlier "
			     "data is back in place", x->jname);
		*ret_done = is_dir(x->member);
	}
	return r;
}

static int run(struct restore *x, bool *ret_done, struct perr *err)
{
	const struct etcd_conf *ec = x->ec;
	struct snapshot_status st;
	bool fresh_made = false;
	int r;

	if (!(x->member = path_join(ec->data_dir, "member")) || !(x->pre = path_join(ec->data_dir, PRE)) ||
	    !(x->fresh = path_join(ec->data_dir, FRESH)) || !(x->fresh_member = path_join(x->fresh, "member")) ||
	    !(x->legacy = path_join(ec->data_dir, RESTORE_LEGACY_MARKER)))
		return oom(err);
	if (!x->snapshot) {
		if ((r = journal_open(x, false, err)) < 0 || (r = journal_read(x, err)) < 0)
			return r;
		return x->state == J_BEGUN || x->state == J_MOVED ? roll_back(x, ret_done, err) : 0;
	}
	if (!etcd_flag(&ec->sc, "data-dir") || !*etcd_flag(&ec->sc, "data-dir") ||
	    !etcd_flag(&ec->sc, "initial-cluster") || !etcd_flag(&ec->sc, "initial-advertise-peer-urls"))
		return perr_set(err, -EINVAL, "etcd's conf lacks --data-dir, --initial-cluster or "
				"--initial-advertise-peer-urls");
	if ((r = journal_open(x, true, err)) < 0 || (r = journal_read(x, err)) < 0)
		return r;
	if (x->state == J_DONE && !strcmp(x->jname, x->snapshot)) {
		/* a cut right after "done" leaves the empty fresh folder */
		if (exists(x->fresh))
			rm_rf_quiet(x->fresh);
		return 0;
	}
	if (x->state == J_NONE && legacy_names(x, x->snapshot)) {
		if ((r = journal_set(x, J_DONE, x->snapshot, err)) == 0 && unlink(x->legacy) < 0 && errno != ENOENT)
			r = perr_set(err, -errno, "%s: %s", x->legacy, strerror(errno));
		return r;
	}
	if ((r = check(x, x->snapshot, &st, err)) < 0)
		return refused(x, r, err);

	if (x->state == J_BEGUN || x->state == J_MOVED) {
		/* an unfinished restore of another snapshot: what it restored goes */
		if (strcmp(x->jname, x->snapshot) &&
		    ((x->state == J_MOVED && (r = remove_tree(x, x->member, err)) < 0) ||
		     (r = journal_set(x, x->state, x->snapshot, err)) < 0 ||
		     (r = step(x, "journal names the new snapshot", err)) < 0))
			return r;
	} else {
		if ((r = pre_restore_set_aside(x, err)) < 0 || (r = step(x, "earlier pre-restore data set aside", err)) < 0 ||
		    (r = journal_set(x, J_BEGUN, x->snapshot, err)) < 0 || (r = step(x, "journal begun", err)) < 0)
			return r;
		if (unlink(x->legacy) < 0 && errno != ENOENT)
			return perr_set(err, -errno, "%s: %s", x->legacy, strerror(errno));
	}

	if (x->state == J_BEGUN) {
		if ((r = restore_fresh(x, err)) < 0)
			return r;
		fresh_made = true;
		if (exists(x->member) && ((r = move(x, x->member, x->pre, err)) < 0 ||
					  (r = step(x, "member moved to " PRE, err)) < 0))
			return r;
		if ((r = journal_set(x, J_MOVED, x->snapshot, err)) < 0 || (r = step(x, "journal moved", err)) < 0)
			return r;
	}
	/* J_MOVED: a member is the snapshot's, whole (renamed in at once) */
	if (!exists(x->member)) {
		if (!fresh_made && (r = restore_fresh(x, err)) < 0)
			return r;
		if ((r = move(x, x->fresh_member, x->member, err)) < 0 || (r = step(x, "member swapped in", err)) < 0)
			return r;
	}
	if (ec->has_user) {
		own_uid = ec->uid;
		own_gid = ec->gid;
		if (nftw(x->member, chown_one, 16, FTW_PHYS) != 0)
			return perr_set(err, -errno, "%s: chown %u:%u: %s", x->member, ec->uid, ec->gid,
					strerror(errno));
		if ((r = step(x, "member given to etcd's uid", err)) < 0)
			return r;
	}
	if ((r = journal_set(x, J_DONE, x->snapshot, err)) < 0 || (r = step(x, "journal done", err)) < 0)
		return r;
	rm_rf_quiet(x->fresh);
	console_line("etcd restored from %s (revision %llu, %llu keys); the earlier data is in " PRE, x->snapshot,
		     st.revision, st.total_keys);
	*ret_done = true;
	return 0;
}

int etcd_restore_with(const struct etcd_restore_ops *ops, const struct etcd_conf *ec, const char *snapshot,
		      bool *ret_done, struct perr *err)
{
	struct restore x = { .ops = ops, .ec = ec, .snapshot = snapshot, .jfd = -1 };
	int r;

	*ret_done = false;
	r = run(&x, ret_done, err);
	if (r < 0 && snapshot && !x.refused)
		perr_wrap(err, "restore of %s", snapshot);
	if (x.jfd >= 0)
		close(x.jfd);
	free(x.member);
	free(x.pre);
	free(x.fresh);
	free(x.fresh_member);
	free(x.legacy);
	free(x.jname);
	return r;
}

struct oneshot_ctx {
	struct docker *d;
	const struct etcd_conf *ec;
};

static int oneshot(void *ctx, char *const argv[], int *ret_code, char **ret_out, struct perr *err)
{
	struct oneshot_ctx *o = ctx;
	return etcd_oneshot(o->d, o->ec, CONTAINER, argv, ret_code, ret_out, err);
}

int etcd_restore(struct docker *d, const struct etcd_conf *ec, const char *snapshot, bool *ret_done,
		 struct perr *err)
{
	struct oneshot_ctx o = { d, ec };
	struct etcd_restore_ops ops = {
		.etcdctl = oneshot, .ctx = &o, .journal_dir = RESTORE_JOURNAL_DIR, .snapshot_dir = SNAPSHOT_DIR,
	};
	return etcd_restore_with(&ops, ec, snapshot, ret_done, err);
}
