/* etcd_restore on a temporary data folder with a fake etcdctl: a restore
 * cut at every step (and its retry cut at every step) ends with the
 * snapshot's data in place and the data etcd had kept; a restore done is
 * not done again; an unfinished one is undone when none is asked for; a
 * corrupted snapshot is refused with the good ones and the ways forward
 * named; the journal stays out of etcd's folder. */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "etcd_conf.h"
#include "etcd_restore.h"
#include "fsutil.h"
#include "nodecfg.h"

#define SNAP_A "etcd-snapshot_node1_20261130T130000Z"
#define SNAP_B "etcd-snapshot_node1_20261130T140000Z"
#define SNAP_BAD "etcd-snapshot_node1_corrupted"
#define CDATA "/var/lib/rancher/etcd/"

static const char conf[] =
	"name=etcd\n"
	"image=paddock/etcd:3.4.23-debian\n"
	"net=host\n"
	"command=etcd\n"
	"command=--data-dir=/var/lib/rancher/etcd/\n"
	"command=--name=etcd-node1\n"
	"command=--initial-cluster=etcd-node1=https://10.10.0.11:2380\n"
	"command=--initial-advertise-peer-urls=https://10.10.0.11:2380\n"
	"command=--trusted-ca-file=/etc/kubernetes/ssl/kube-ca.pem\n"
	"command=--cert-file=/etc/kubernetes/ssl/kube-etcd-10-10-0-11.pem\n"
	"command=--key-file=/etc/kubernetes/ssl/kube-etcd-10-10-0-11-key.pem\n"
	"volume=/var/lib/etcd:/var/lib/rancher/etcd/:z\n"
	"volume=/etc/kubernetes:/etc/kubernetes:z\n";

struct fake {
	char root[64];
	char *data, *journal, *snaps;
	struct etcd_conf ec;
	struct etcd_restore_ops ops;
	int crash_at;           /* the crash point to stop at; -1: none */
	int points;             /* crash points passed */
	int statuses, restores; /* etcdctl runs */
};

static char *join(const char *a, const char *b)
{
	char *p = path_join(a, b);
	assert_non_null(p);
	return p;
}

static void put(const char *dir, const char *name, const char *text)
{
	struct perr err = PERR_INIT;
	char *p = join(dir, name);
	assert_int_equal(write_file(p, text, strlen(text), 0600, &err), 0);
	free(p);
}

/* the file's first line, or "" when there is none */
static char *get(const char *dir, const char *name)
{
	static char buf[256];
	char *p = join(dir, name);
	FILE *f = fopen(p, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	free(p);
	return buf;
}

static bool there(const char *dir, const char *name)
{
	struct stat st;
	char *p = join(dir, name);
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

static bool crash_point(struct fake *f)
{
	return f->points++ == f->crash_at;
}

static int step(void *ctx, const char *name)
{
	(void)name;
	return crash_point(ctx) ? -EINTR : 0;
}

static const char *arg_after(char *const argv[], const char *flag)
{
	for (size_t i = 0; argv[i]; i++)
		if (!strcmp(argv[i], flag))
			return argv[i + 1];
	return NULL;
}

/* etcdctl: a snapshot is good when its file says "good ..."; a restore
 * writes <data-dir>/member/db holding the snapshot's text, and is itself a
 * crash point (cut with half a member made). */
static int etcdctl(void *ctx, char *const argv[], int *ret_code, char **ret_out, struct perr *err)
{
	struct fake *f = ctx;
	const char *snap, *ddir;
	char text[256] = "";
	FILE *in;

	(void)err;
	assert_string_equal(argv[0], "etcdctl");
	assert_string_equal(argv[1], "snapshot");
	*ret_code = 0;
	if (!strcmp(argv[2], "status")) {
		f->statuses++;
		snap = argv[5];
		if ((in = fopen(snap, "re"))) {
			if (!fgets(text, sizeof(text), in))
				text[0] = '\0';
			fclose(in);
		}
		if (!strncmp(text, "good", 4)) {
			*ret_out = strdup("{\"hash\":1,\"revision\":7,\"totalKey\":3,\"totalSize\":4096}\n");
		} else {
			*ret_code = 1;
			*ret_out = strdup("Error: snapshot file integrity check failed\n");
		}
		assert_non_null(*ret_out);
		return 0;
	}
	assert_string_equal(argv[2], "restore");
	f->restores++;
	snap = argv[3];
	ddir = arg_after(argv, "--data-dir");
	assert_non_null(ddir);
	assert_int_equal(strncmp(ddir, CDATA, strlen(CDATA)), 0);
	assert_string_equal(arg_after(argv, "--name"), "etcd-node1");
	char *fresh = join(f->data, ddir + strlen(CDATA)), *member = join(fresh, "member");
	struct stat st;
	if (lstat(fresh, &st) == 0) {
		/* as etcdctl: it never restores into an existing folder */
		*ret_code = 1;
		*ret_out = strdup("Error: data-dir exists\n");
	} else {
		assert_int_equal(mkdir(fresh, 0700), 0);
		assert_int_equal(mkdir(member, 0700), 0);
		if (crash_point(f)) {
			put(member, "half", "half");
			*ret_code = 137;
			*ret_out = strdup("killed\n");
		} else {
			in = fopen(snap, "re");
			assert_non_null(in);
			if (!fgets(text, sizeof(text), in))
				text[0] = '\0';
			fclose(in);
			put(member, "db", text);
			*ret_out = strdup("restored\n");
		}
	}
	free(fresh);
	free(member);
	assert_non_null(*ret_out);
	return 0;
}

static void setup_fake(struct fake *f)
{
	struct perr err = PERR_INIT;
	struct nodecfg c = { 0 };
	struct svcconf sc = { 0 };

	memset(f, 0, sizeof(*f));
	strcpy(f->root, "/tmp/test_etcd_restore.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	f->data = join(f->root, "etcd");
	f->journal = join(f->root, "etcd-restore");
	f->snaps = join(f->root, "etcd-snapshots");
	assert_int_equal(mkdir(f->data, 0700), 0);
	assert_int_equal(mkdir(f->snaps, 0700), 0);
	put(f->snaps, SNAP_A, "good A");
	put(f->snaps, SNAP_B, "good B");
	put(f->snaps, SNAP_BAD, "corrupt");
	put(f->snaps, "tmp-" SNAP_B, "good but being written");

	assert_int_equal(nodecfg_parse("t.conf", conf, strlen(conf), &c, &err), 0);
	assert_int_equal(svcconf_from_nodecfg("t.conf", &c, &sc, &err), 0);
	assert_int_equal(etcd_conf_from(&sc, &f->ec, &err), 0);
	svcconf_free(&sc);
	nodecfg_free(&c);
	free(f->ec.data_dir);
	f->ec.data_dir = strdup(f->data);
	assert_non_null(f->ec.data_dir);
	f->ec.has_user = true;
	f->ec.uid = getuid();
	f->ec.gid = getgid();

	f->ops = (struct etcd_restore_ops){ .etcdctl = etcdctl, .step = step, .ctx = f,
					    .journal_dir = f->journal, .snapshot_dir = f->snaps };
	f->crash_at = -1;
}

/* etcd's data as it was before any restore */
static void original_data(struct fake *f)
{
	char *member = join(f->data, "member");
	assert_int_equal(mkdir(member, 0700), 0);
	put(member, "db", "original");
	free(member);
}

static void teardown_fake(struct fake *f)
{
	rm_rf_quiet(f->root);
	etcd_conf_free(&f->ec);
	free(f->data);
	free(f->journal);
	free(f->snaps);
}

static int restore(struct fake *f, const char *snapshot, int crash_at, bool *done, struct perr *err)
{
	f->crash_at = crash_at;
	f->points = 0;
	return etcd_restore_with(&f->ops, &f->ec, snapshot, done, err);
}

/* restored: the snapshot's data is etcd's, the data etcd had is kept */
static void assert_restored(struct fake *f, const char *want, const char *kept)
{
	assert_string_equal(get(f->data, "member/db"), want);
	assert_false(there(f->data, "member/half"));
	assert_string_equal(get(f->data, "member.pre-restore/db"), kept);
	assert_false(there(f->data, "restore-tmp"));
	assert_false(there(f->data, "member.pre-restore.1"));
}

/* The crash points of a whole restore (steps and etcdctl's own). */
static int crash_points(void)
{
	struct fake f;
	struct perr err = PERR_INIT;
	bool done;

	setup_fake(&f);
	original_data(&f);
	assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
	assert_true(done);
	assert_restored(&f, "good A", "original");
	int n = f.points;
	teardown_fake(&f);
	return n;
}

static void cut_at_every_step_then_retried(void **state)
{
	int n = crash_points();

	(void)state;
	assert_true(n >= 8);
	/* cut once at k, then the retry cut at j (j == n: not cut), then
	 * tried again */
	for (int k = 0; k < n; k++) {
		for (int j = 0; j <= n; j++) {
			struct fake f;
			struct perr err = PERR_INIT;
			bool done;

			setup_fake(&f);
			original_data(&f);
			assert_true(restore(&f, SNAP_A, k, &done, &err) < 0);
			assert_false(done);
			perr_clear(&err);
			/* the data etcd had is somewhere, whole */
			assert_true(!strcmp(get(f.data, "member/db"), "original") ||
				    !strcmp(get(f.data, "member.pre-restore/db"), "original"));
			if (j < n && restore(&f, SNAP_A, j, &done, &err) < 0) {
				perr_clear(&err);
				assert_true(!strcmp(get(f.data, "member/db"), "original") ||
					    !strcmp(get(f.data, "member.pre-restore/db"), "original"));
			}
			perr_clear(&err);
			if (restore(&f, SNAP_A, -1, &done, &err) != 0)
				fail_msg("cut at %d then %d: %s", k, j, err.msg);
			assert_restored(&f, "good A", "original");
			/* and done: not again */
			f.restores = f.statuses = 0;
			assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
			assert_false(done);
			assert_int_equal(f.restores + f.statuses, 0);
			assert_restored(&f, "good A", "original");
			teardown_fake(&f);
		}
	}
}

/* A node with no data yet: the restore is its data, cut or not. */
static void cut_with_no_earlier_data(void **state)
{
	int n = crash_points();

	(void)state;
	for (int k = 0; k < n; k++) {
		struct fake f;
		struct perr err = PERR_INIT;
		bool done;

		setup_fake(&f);
		if (restore(&f, SNAP_A, k, &done, &err) < 0)
			perr_clear(&err);
		assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
		assert_string_equal(get(f.data, "member/db"), "good A");
		assert_false(there(f.data, "member.pre-restore"));
		teardown_fake(&f);
	}
}

static void done_once_per_snapshot(void **state)
{
	struct fake f;
	struct perr err = PERR_INIT;
	bool done;

	(void)state;
	setup_fake(&f);
	original_data(&f);
	assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
	assert_true(done);
	/* etcd ran on it and wrote */
	put(f.data, "member/db", "A and later writes");
	f.restores = f.statuses = 0;
	assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
	assert_false(done);
	assert_int_equal(f.restores + f.statuses, 0);
	assert_string_equal(get(f.data, "member/db"), "A and later writes");
	assert_string_equal(get(f.data, "member.pre-restore/db"), "original");
	/* none asked for: nothing changes either */
	assert_int_equal(restore(&f, NULL, -1, &done, &err), 0);
	assert_false(done);
	assert_string_equal(get(f.data, "member/db"), "A and later writes");

	/* another snapshot later: the data before it is what is kept now */
	assert_int_equal(restore(&f, SNAP_B, -1, &done, &err), 0);
	assert_true(done);
	assert_restored(&f, "good B", "A and later writes");
	teardown_fake(&f);
}

/* Cut after the data etcd had was moved aside, and restore: taken out of
 * the cluster file: the data etcd had is back. */
static void unfinished_restore_undone_when_none_asked(void **state)
{
	int n = crash_points();

	(void)state;
	/* the last point comes after the restore is done */
	for (int k = 0; k < n - 1; k++) {
		struct fake f;
		struct perr err = PERR_INIT;
		bool done;

		setup_fake(&f);
		original_data(&f);
		assert_true(restore(&f, SNAP_A, k, &done, &err) < 0);
		perr_clear(&err);
		assert_int_equal(restore(&f, NULL, -1, &done, &err), 0);
		assert_string_equal(get(f.data, "member/db"), "original");
		assert_false(there(f.data, "member/half"));
		assert_false(there(f.data, "member.pre-restore"));
		assert_false(there(f.data, "restore-tmp"));
		/* and a restore asked for again later is a new one */
		assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
		assert_restored(&f, "good A", "original");
		teardown_fake(&f);
	}
}

/* Cut during a restore of A; the cluster file then names B. */
static void other_snapshot_after_a_cut(void **state)
{
	int n = crash_points();

	(void)state;
	/* the last point comes after the restore of A is done */
	for (int k = 0; k < n - 1; k++) {
		struct fake f;
		struct perr err = PERR_INIT;
		bool done;

		setup_fake(&f);
		original_data(&f);
		assert_true(restore(&f, SNAP_A, k, &done, &err) < 0);
		perr_clear(&err);
		assert_int_equal(restore(&f, SNAP_B, -1, &done, &err), 0);
		assert_restored(&f, "good B", "original");
		teardown_fake(&f);
	}
}

/* A member.pre-restore this node has no record of is not removed. */
static void unknown_pre_restore_kept(void **state)
{
	struct fake f;
	struct perr err = PERR_INIT;
	bool done;
	char *pre;

	(void)state;
	setup_fake(&f);
	original_data(&f);
	pre = join(f.data, "member.pre-restore");
	assert_int_equal(mkdir(pre, 0700), 0);
	put(pre, "db", "unknown");
	assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
	assert_string_equal(get(f.data, "member/db"), "good A");
	assert_string_equal(get(f.data, "member.pre-restore/db"), "original");
	assert_string_equal(get(f.data, "member.pre-restore.1/db"), "unknown");
	teardown_fake(&f);
	free(pre);

	/* an earlier build's restore cut between its two renames: no member,
	 * member.pre-restore the only data */
	setup_fake(&f);
	pre = join(f.data, "member.pre-restore");
	assert_int_equal(mkdir(pre, 0700), 0);
	put(pre, "db", "original");
	assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
	assert_restored(&f, "good A", "original");
	teardown_fake(&f);
	free(pre);
}

static void corrupted_snapshot_says_the_way_out(void **state)
{
	struct fake f;
	struct perr err = PERR_INIT;
	bool done;

	(void)state;
	setup_fake(&f);
	original_data(&f);
	assert_true(restore(&f, SNAP_BAD, -1, &done, &err) < 0);
	assert_false(done);
	assert_non_null(strstr(err.msg, "restore: snapshot " SNAP_BAD " does not check out; etcd not started from "
				"it, its data left as it was"));
	assert_non_null(strstr(err.msg, "integrity check failed"));
	/* the good ones, newest first; not the one being written */
	assert_non_null(strstr(err.msg, "that check out: " SNAP_B ", " SNAP_A "."));
	assert_null(strstr(err.msg, "tmp-"));
	assert_non_null(strstr(err.msg, "set restore.snapshot_name in cluster.yml to one of them"));
	assert_non_null(strstr(err.msg, "remove restore: from cluster.yml"));
	assert_non_null(strstr(err.msg, "rebuild"));
	assert_null(strchr(err.msg, '\n'));
	assert_null(strchr(err.msg, '\t'));
	assert_string_equal(get(f.data, "member/db"), "original");
	assert_false(there(f.data, "member.pre-restore"));
	assert_false(there(f.data, "restore-tmp"));
	perr_clear(&err);

	/* tried again (a minute later): the good ones are not checked again */
	f.statuses = 0;
	assert_true(restore(&f, SNAP_BAD, -1, &done, &err) < 0);
	assert_int_equal(f.statuses, 1);
	assert_non_null(strstr(err.msg, SNAP_B ", " SNAP_A));
	perr_clear(&err);

	/* a name that is not there is refused the same way */
	assert_true(restore(&f, "nosuch", -1, &done, &err) < 0);
	assert_non_null(strstr(err.msg, "there is no file nosuch"));
	assert_non_null(strstr(err.msg, SNAP_B ", " SNAP_A));
	perr_clear(&err);

	/* none good */
	put(f.snaps, SNAP_A, "corrupt too");
	put(f.snaps, SNAP_B, "corrupt too");
	assert_true(restore(&f, SNAP_BAD, -1, &done, &err) < 0);
	assert_non_null(strstr(err.msg, "No snapshot in "));
	assert_non_null(strstr(err.msg, "remove restore: from cluster.yml"));
	assert_string_equal(get(f.data, "member/db"), "original");
	perr_clear(&err);
	teardown_fake(&f);
}

/* Root's journal is not in etcd's folder, and a link is not followed. */
static void journal_kept_out_of_etcds_folder(void **state)
{
	struct fake f;
	struct perr err = PERR_INIT;
	bool done;
	char *elsewhere;

	(void)state;
	setup_fake(&f);
	original_data(&f);
	/* an earlier build's marker there: that restore is not done again,
	 * and the marker goes */
	put(f.data, RESTORE_LEGACY_MARKER, SNAP_A "\n");
	assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
	assert_false(done);
	assert_int_equal(f.restores, 0);
	assert_string_equal(get(f.data, "member/db"), "original");
	assert_false(there(f.data, RESTORE_LEGACY_MARKER));
	assert_int_equal(restore(&f, SNAP_B, -1, &done, &err), 0);
	assert_true(done);
	/* nothing of root's in etcd's folder */
	assert_false(there(f.data, RESTORE_LEGACY_MARKER));
	assert_false(there(f.data, "journal"));
	assert_true(there(f.journal, "journal"));
	struct stat st;
	assert_int_equal(stat(f.journal, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	teardown_fake(&f);

	/* the journal's folder a link: refused, nothing written through it */
	setup_fake(&f);
	original_data(&f);
	elsewhere = join(f.root, "elsewhere");
	assert_int_equal(mkdir(elsewhere, 0755), 0);
	assert_int_equal(symlink(elsewhere, f.journal), 0);
	assert_true(restore(&f, SNAP_A, -1, &done, &err) < 0);
	perr_clear(&err);
	assert_false(there(elsewhere, "journal"));
	assert_string_equal(get(f.data, "member/db"), "original");
	free(elsewhere);
	teardown_fake(&f);

	/* a link planted as the journal's temporary is not written through */
	setup_fake(&f);
	original_data(&f);
	elsewhere = join(f.root, "target");
	assert_int_equal(mkdir(f.journal, 0700), 0);
	char *tmp = join(f.journal, "journal.tmp");
	assert_int_equal(symlink(elsewhere, tmp), 0);
	assert_int_equal(restore(&f, SNAP_A, -1, &done, &err), 0);
	assert_false(there(f.root, "target"));
	assert_restored(&f, "good A", "original");
	free(tmp);
	free(elsewhere);
	teardown_fake(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cut_at_every_step_then_retried),
		cmocka_unit_test(cut_with_no_earlier_data),
		cmocka_unit_test(done_once_per_snapshot),
		cmocka_unit_test(unfinished_restore_undone_when_none_asked),
		cmocka_unit_test(other_snapshot_after_a_cut),
		cmocka_unit_test(unknown_pre_restore_kept),
		cmocka_unit_test(corrupted_snapshot_says_the_way_out),
		cmocka_unit_test(journal_kept_out_of_etcds_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
