/* The provisioner's phases (prov_machine.h) over stand-ins for Docker,
 * etcd and the clock: a single node restarted from its data (snapshots go
 * on), a learner found after a restart, a promotion whose answer was lost,
 * a peer that never comes, a restore done once, a restore refused, and a
 * snapshot due while one runs. */
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "disk_full.h"
#include "nodecfg.h"
#include "prov_machine.h"
#include "provision.h"

#define T0 ((time_t)1796043909)
#define SELF_ID 0xabcULL

/* --- console capture: console lines go to stdout ---------------------- */

static char console_path[] = "/tmp/paddock-prov-XXXXXX";
static int saved_stdout = -1;
static char captured[1 << 18];

static void capture(void)
{
	int fd = mkstemp(console_path);

	assert_true(fd >= 0);
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
}

/* The console so far. */
static const char *console(void)
{
	int fd = open(console_path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, captured, sizeof(captured) - 1);
	close(fd);
	captured[n > 0 ? n : 0] = '\0';
	return captured;
}

static void uncapture(void)
{
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	unlink(console_path);
	strcpy(console_path, "/tmp/paddock-prov-XXXXXX");
}

static unsigned count(const char *needle)
{
	unsigned n = 0;

	for (const char *s = console(); (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/* --- the stand-in world ----------------------------------------------- */

static struct world {
	double t;
	bool docker_up;
	bool has_data;          /* the data folder holds a member */
	int restore_r;          /* < 0: refused with restore_msg */
	const char *restore_msg;
	bool restore_done_now;
	unsigned restore_calls;
	unsigned restore_calls_failed; /* made while the status said etcd failed */
	const char *run_msg;    /* container_run fails with it */
	unsigned run_calls, stop_calls;
	bool running;           /* the container */
	int exit_code;
	const char *logs;
	bool etcd_ok;           /* its health check passes */
	unsigned health_calls;
	bool local_answers;     /* the local member lists the membership */
	bool others_answer;     /* another peer answers */
	bool self_listed, self_learner;
	bool join_added_learner; /* join_prepare: added as a learner */
	unsigned promote_fails; /* promotions failing (answer lost) */
	bool promote_applies;   /* a failed promotion is applied all the same */
	unsigned promote_calls;
	bool snap_running;
	double snap_ends;       /* the stand-in snapshot's end */
	double snap_secs;       /* how long the next one takes */
	struct snapshot_result snap_res;
	unsigned snap_starts, snap_kills, snap_removals;
	long long free_bytes;
	char stage[64], detail[512];
} w;

static double f_now(void *ctx)
{
	(void)ctx;
	return w.t;
}

static time_t f_wall(void *ctx)
{
	(void)ctx;
	return T0 + (time_t)w.t;
}

static int f_ping(void *ctx, struct perr *err)
{
	(void)ctx;
	return w.docker_up ? 0 : perr_set(err, -ECONNREFUSED, "connection refused");
}

static int f_image(void *ctx, const char *image, struct perr *err)
{
	(void)ctx;
	(void)image;
	(void)err;
	return 0;
}

static int f_data(void *ctx, const struct etcd_conf *ec, bool *ret_has_data, struct perr *err)
{
	(void)ctx;
	(void)ec;
	(void)err;
	*ret_has_data = w.has_data;
	return 0;
}

static int f_restore(void *ctx, const struct etcd_conf *ec, const char *snapshot, bool *ret_done, struct perr *err)
{
	(void)ctx;
	(void)ec;
	(void)snapshot;
	w.restore_calls++;
	w.restore_calls_failed += !strcmp(w.stage, "etcd failed");
	*ret_done = false;
	if (w.restore_r < 0)
		return perr_set(err, w.restore_r, "%s", w.restore_msg);
	*ret_done = w.restore_done_now;
	if (w.restore_done_now)
		w.has_data = true;
	w.restore_done_now = false;
	return 0;
}

static int f_wipe(void *ctx, const struct etcd_conf *ec, struct perr *err)
{
	(void)ctx;
	(void)ec;
	(void)err;
	w.has_data = false;
	return 0;
}

static int f_run(void *ctx, const struct etcd_conf *ec, struct perr *err)
{
	(void)ctx;
	(void)ec;
	w.run_calls++;
	if (w.run_msg)
		return perr_set(err, -EIO, "%s", w.run_msg);
	w.running = true;
	w.has_data = true;
	return 0;
}

static int f_state(void *ctx, int *ret_exit, struct perr *err)
{
	(void)ctx;
	(void)err;
	*ret_exit = w.exit_code;
	return w.running ? 1 : w.run_calls ? 0 : -ENOENT;
}

static int f_stop(void *ctx, struct perr *err)
{
	(void)ctx;
	(void)err;
	w.stop_calls++;
	w.running = false;
	return 0;
}

static int f_logs(void *ctx, unsigned tail, char **ret, struct perr *err)
{
	(void)ctx;
	(void)tail;
	(void)err;
	*ret = w.logs ? strdup(w.logs) : NULL;
	return 0;
}

static long long f_free(void *ctx, const char *dir)
{
	(void)ctx;
	(void)dir;
	return w.free_bytes;
}

static int f_health(void *ctx, const char *url, bool quick, struct perr *err)
{
	(void)ctx;
	(void)url;
	if (!quick)
		w.health_calls++;
	return w.running && w.etcd_ok ? 0 : perr_set(err, -ETIMEDOUT, "timed out");
}

static struct etcd_member *members_now(size_t *n)
{
	struct etcd_member *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	*n = 0;
	if (!w.self_listed)
		return m;
	m[0] = (struct etcd_member){ SELF_ID, strdup("etcd-node1"), strdup("https://10.10.0.11:2380"),
				     strdup("https://10.10.0.11:2379"), w.self_learner };
	*n = 1;
	return m;
}

static int f_members(void *ctx, const char *url, struct etcd_member **ret, size_t *ret_n, struct perr *err)
{
	(void)ctx;
	(void)url;
	if (!w.local_answers || !w.running || !w.etcd_ok)
		return perr_set(err, -ETIMEDOUT, "timed out");
	*ret = members_now(ret_n);
	return 0;
}

static int f_leader(void *ctx, const char *url, uint64_t *ret_leader, struct perr *err)
{
	(void)ctx;
	(void)url;
	(void)err;
	*ret_leader = SELF_ID;
	return 0;
}

static int f_join_prepare(void *ctx, struct etcd_conf *ec, bool *ret_joined, uint64_t *ret_learner, struct perr *err)
{
	(void)ctx;
	(void)ec;
	(void)err;
	*ret_joined = w.join_added_learner;
	*ret_learner = w.join_added_learner ? SELF_ID : 0;
	if (w.join_added_learner)
		w.self_listed = w.self_learner = true;
	return 0;
}

static int f_join_self(void *ctx, const struct etcd_conf *ec, bool *ret_member, uint64_t *ret_learner,
		       struct perr *err)
{
	(void)ctx;
	(void)ec;
	*ret_member = false;
	*ret_learner = 0;
	if (!w.others_answer)
		return perr_set(err, -ENOENT, "no other etcd member answered");
	*ret_member = w.self_listed;
	*ret_learner = w.self_listed && w.self_learner ? SELF_ID : 0;
	return 0;
}

static int f_promote(void *ctx, const struct etcd_conf *ec, uint64_t id, struct perr *err)
{
	(void)ctx;
	(void)ec;
	assert_true(id == SELF_ID);
	w.promote_calls++;
	if (w.promote_fails) {
		w.promote_fails--;
		if (w.promote_applies)
			w.self_learner = false;
		return perr_set(err, -ETIMEDOUT, "context deadline exceeded");
	}
	w.self_learner = false;
	return 0;
}

static bool f_reachable(void *ctx, const char *url)
{
	(void)ctx;
	return strstr(url, "10.10.0.11") != NULL;
}

static int f_snap_start(void *ctx, const struct etcd_conf *ec, const char *node, time_t now, struct perr *err)
{
	(void)ctx;
	(void)ec;
	(void)err;
	assert_false(w.snap_running);
	w.snap_running = true;
	w.snap_starts++;
	snapshot_name(node, now, w.snap_res.name, sizeof(w.snap_res.name));
	w.snap_ends = w.t + w.snap_secs;
	return 0;
}

static int f_snap_poll(void *ctx, struct snapshot_result *res)
{
	(void)ctx;
	if (!w.snap_running || w.t < w.snap_ends)
		return 0;
	w.snap_running = false;
	*res = w.snap_res;
	return 1;
}

static void f_snap_kill(void *ctx, bool remove_container)
{
	(void)ctx;
	w.snap_running = false;
	w.snap_kills++;
	w.snap_removals += remove_container;
}

static void f_mark(void *ctx, const char *path, bool on)
{
	(void)ctx;
	(void)path;
	(void)on;
}

static void f_status(void *ctx, const struct prov_status *s)
{
	(void)ctx;
	snprintf(w.stage, sizeof(w.stage), "%s", s->stage);
	snprintf(w.detail, sizeof(w.detail), "%s", s->detail ? s->detail : "");
}

static const struct prov_ops fake_ops = {
	f_now, f_wall, f_ping, f_image, f_data, f_restore, f_wipe, f_run, f_state, f_stop, f_logs, f_free,
	f_health, f_members, f_leader, f_join_prepare, f_join_self, f_promote, f_reachable,
	f_snap_start, f_snap_poll, f_snap_kill, f_mark, f_status,
};

/* --- fixtures ---------------------------------------------------------- */

static struct prov p;

static void conf(struct etcd_conf *ec, const char *initial_cluster)
{
	struct perr err = PERR_INIT;
	struct nodecfg c = { 0 };
	struct svcconf sc = { 0 };
	char text[1024];

	snprintf(text, sizeof(text),
		 "name=etcd\nimage=paddock/etcd:3.4.23-debian\nuser=52034:52035\nnet=host\ncommand=etcd\n"
		 "command=--data-dir=/var/lib/rancher/etcd/\ncommand=--name=etcd-node1\n"
		 "command=--initial-cluster=%s\ncommand=--initial-cluster-state=new\n"
		 "command=--initial-advertise-peer-urls=https://10.10.0.11:2380\n"
		 "command=--trusted-ca-file=/etc/kubernetes/ssl/kube-ca.pem\n"
		 "command=--cert-file=/etc/kubernetes/ssl/kube-etcd.pem\n"
		 "command=--key-file=/etc/kubernetes/ssl/kube-etcd-key.pem\n"
		 "volume=/var/lib/etcd:/var/lib/rancher/etcd/:z\nvolume=/etc/kubernetes:/etc/kubernetes:z\n",
		 initial_cluster);
	assert_int_equal(nodecfg_parse("t.conf", text, strlen(text), &c, &err), 0);
	assert_int_equal(svcconf_from_nodecfg("t.conf", &c, &sc, &err), 0);
	assert_int_equal(etcd_conf_from(&sc, ec, &err), 0);
	svcconf_free(&sc);
	nodecfg_free(&c);
	perr_clear(&err);
}

#define SINGLE "etcd-node1=https://10.10.0.11:2380"
#define THREE SINGLE ",etcd-node2=https://10.10.0.12:2380,etcd-node3=https://10.10.0.13:2380"

/* A node of the cluster initial_cluster; snapshots every 20 s. */
static void start(const char *initial_cluster, const char *restore)
{
	memset(&p, 0, sizeof(p));
	conf(&p.ec, initial_cluster);
	p.sn.policy.interval_secs = 20;
	p.sn.policy.retention = 2;
	p.sn.policy.restore = restore ? strdup(restore) : NULL;
	snprintf(p.sn.node, sizeof(p.sn.node), "node1");
	p.ops = &fake_ops;
	p.ctx = NULL;
	prov_init(&p);
}

static int setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	w.t = 100;
	w.docker_up = true;
	w.etcd_ok = true;
	w.local_answers = true;
	w.free_bytes = 1LL << 30;
	w.snap_secs = 3;
	capture();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	prov_free(&p);
	snapshots_free(&p.sn);
	etcd_conf_free(&p.ec);
	if (getenv("SHOW")) fputs(console(), stderr);
	uncapture();
	return 0;
}

/* A member of three restarted from its data, a voter as the others say. */
static void voter_of_three(void)
{
	start(THREE, NULL);
	w.has_data = true;
	w.others_answer = true;
	w.self_listed = true;
}

/* Steps for secs of the stand-in clock. */
static void run_for(double secs)
{
	double end = w.t + secs;

	while (w.t < end) {
		double d = prov_step(&p);
		w.t += d > 0.01 ? d : 0.01;
	}
}

/* --- tests ------------------------------------------------------------- */

/* configs/single-node.yml rebooted with its state disk: the member is a
 * voter (the only peer), no other peer to ask, yet snapshots go on */
static void single_node_restart_takes_snapshots(void **state)
{
	(void)state;
	start(SINGLE, NULL);
	w.has_data = true;
	w.self_listed = true;
	run_for(60);
	assert_int_equal(p.phase, PROV_HEALTHY);
	assert_true(strstr(console(), "etcd started as etcd-node1 (existing member)") != NULL);
	assert_true(w.snap_starts >= 2);
	assert_true(count("paddock: etcd snapshot etcd-snapshot_node1_") >= 2);
	assert_int_equal(count("etcd snapshot failed"), 0);
}

/* a member of three whose local etcd lists it as a voter: a voter,
 * though no other peer answers it */
static void voter_by_the_local_member(void **state)
{
	(void)state;
	start(THREE, NULL);
	w.has_data = true;
	w.self_listed = true;
	run_for(30);
	assert_int_equal(p.role, ROLE_VOTER);
	assert_true(w.snap_starts >= 1);
	/* listed as a learner there: not a voter */
	teardown(NULL);
	setup(NULL);
	start(THREE, NULL);
	w.has_data = true;
	w.self_listed = w.self_learner = true;
	w.promote_fails = 1000;
	run_for(30);
	assert_int_not_equal(p.role, ROLE_VOTER);
	assert_int_equal(count("etcd: this member is a learner still (0000000000000abc): promoting it"), 1);
	assert_int_equal(w.snap_starts, 0);
}

/* a learner restarted before its promotion: found one by asking, promoted */
static void learner_found_after_restart(void **state)
{
	(void)state;
	start(THREE, NULL);
	w.has_data = true;
	w.others_answer = true;
	w.self_listed = w.self_learner = true;
	w.local_answers = false; /* a learner serves no member list */
	w.promote_fails = 2;
	run_for(6);
	assert_int_equal(count("etcd: this member is a learner still (0000000000000abc): promoting it"), 1);
	assert_int_equal(w.snap_starts, 0);
	run_for(60);
	assert_int_equal(count("etcd: learner 0000000000000abc promoted to voter"), 1);
	assert_int_equal(p.role, ROLE_VOTER);
	assert_true(w.snap_starts >= 1);
}

/* a promotion applied whose answer was lost counts once the membership
 * shows the member a voter; no more promotions are tried */
static void promotion_answer_lost(void **state)
{
	(void)state;
	start(THREE, NULL);
	w.others_answer = true;
	w.join_added_learner = true;
	w.promote_fails = 100;
	w.promote_applies = true;
	run_for(30);
	assert_true(strstr(console(), "etcd started as etcd-node1 (added member, learner)") != NULL);
	assert_int_equal(w.promote_calls, 1);
	assert_int_equal(count("etcd: learner 0000000000000abc promoted to voter"), 1);
	assert_int_equal(p.role, ROLE_VOTER);
	assert_true(w.snap_starts >= 1);
}

/* two peers never come: named at growing intervals, no snapshot */
static void peer_missing(void **state)
{
	static const char *const looks[] = { "next look in 20 s", "next look in 40 s", "next look in 60 s" };
	const char *c;

	(void)state;
	start(THREE, NULL);
	w.etcd_ok = false;
	run_for(200);
	c = console();
	assert_true(strstr(c, "etcd started as etcd-node1 (new cluster)") != NULL);
	for (size_t i = 0; i < 3; i++) {
		const char *at = strstr(c, looks[i]);
		assert_non_null(at);
		c = at;
	}
	assert_int_equal(count("etcd: waiting for 2 of 3 peers: etcd-node2 (https://10.10.0.12:2380), etcd-node3 "
			       "(https://10.10.0.13:2380) not answering"), 5);
	assert_string_equal(w.stage, "waiting for peers");
	assert_int_equal(p.phase, PROV_WAIT_HEALTHY);
	assert_int_equal(w.snap_starts, 0);
	assert_int_equal(count("etcd healthy"), 0);
}

/* restored before etcd starts, once: a later restart does not ask again,
 * and snapshots go on from the restored member */
static void restore_once(void **state)
{
	(void)state;
	start(SINGLE, "etcd-snapshot_node1_20261130T130509Z");
	w.restore_done_now = true;
	w.self_listed = true;
	run_for(30);
	assert_int_equal(w.restore_calls, 1);
	assert_int_equal(p.phase, PROV_HEALTHY);
	assert_true(w.snap_starts >= 1);
	/* etcd exits, starts again: not restored again */
	w.running = false;
	w.exit_code = 2;
	run_for(30);
	assert_int_equal(count("etcd FAILED: the container exited with 2; starting it again in 1 s"), 1);
	assert_int_equal(w.run_calls, 2);
	assert_int_equal(w.restore_calls, 1);
	assert_int_equal(count("etcd healthy again"), 1);
	unsigned before = w.snap_starts;
	run_for(40);
	assert_true(w.snap_starts > before);
}

/* a restore refused: etcd is never started, the reason said once on the
 * console and kept in the status */
static void restore_refused(void **state)
{
	static const char why[] = "restore: snapshot bad does not check out; etcd not started from it, its data "
				  "left as it was";

	(void)state;
	start(SINGLE, "bad");
	w.has_data = true;
	w.restore_r = -EINVAL;
	w.restore_msg = why;
	run_for(300);
	assert_int_equal(w.run_calls, 0);
	assert_true(w.restore_calls > 1);
	assert_int_equal(p.phase, PROV_RESTORE_REFUSED);
	assert_int_equal(count("paddock: etcd FAILED: restore: snapshot bad does not check out"), 1);
	/* each try after the first runs while the status says why etcd is
	 * stopped: a reader never sees another stage meanwhile */
	assert_int_equal(w.restore_calls_failed, w.restore_calls - 1);
	assert_string_equal(w.stage, "etcd failed");
	assert_string_equal(w.detail, why);
	assert_int_equal(w.snap_starts, 0);
}

/* a snapshot that runs long: the next one due is not started beside it,
 * health checks go on meanwhile, and it is killed at its deadline */
static void snapshot_due_while_one_runs(void **state)
{
	unsigned checks;

	(void)state;
	voter_of_three();
	w.snap_secs = 1e9;
	run_for(5);
	assert_int_equal(w.snap_starts, 1);
	checks = w.health_calls;
	run_for(100);
	assert_int_equal(w.snap_starts, 1);
	assert_true(w.health_calls > checks + 40);
	/* etcd exits and comes back meanwhile: restarted */
	w.running = false;
	run_for(20);
	assert_int_equal(w.run_calls, 2);
	assert_int_equal(w.snap_starts, 1);
	run_for(80);
	assert_int_equal(w.snap_kills, 1);
	assert_int_equal(w.snap_removals, 1);
	assert_int_equal(count("paddock: etcd snapshot failed: not finished within 180 s: stopped; older snapshots "
			       "kept, next try in 20 s"), 1);
	run_for(30);
	assert_int_equal(w.snap_starts, 2);
}

/* item 20: a snapshot cut short by a full disk, etcdctl's output lost
 * with it: said as a full disk all the same */
static void snapshot_on_a_full_disk(void **state)
{
	(void)state;
	voter_of_three();
	w.snap_res.r = -EIO;
	w.snap_res.free_bytes = 4096;
	snprintf(w.snap_res.msg, sizeof(w.snap_res.msg), "etcd-snapshot_node1_20261130T130649Z: etcdctl snapshot "
		 "save exited: no output");
	run_for(10);
	assert_int_equal(count("paddock: etcd snapshot failed: no space left on the state disk (0 MiB free in "
			       "/opt/rke/etcd-snapshots); older snapshots kept, next try in 20 s\n"), 1);
	assert_string_equal(p.sn.error, "no space left on the state disk (0 MiB free in /opt/rke/etcd-snapshots)");
	/* with room, the same failure is etcdctl's */
	w.snap_res.free_bytes = 1LL << 30;
	run_for(20);
	assert_int_equal(count("paddock: etcd snapshot failed: etcd-snapshot_node1_20261130T130649Z: etcdctl "
			       "snapshot save exited: no output"), 1);
}

/* item 10: etcd exits on a full disk (its last lines lost) and Docker
 * cannot create it again: both said as a full state disk */
static void etcd_on_a_full_disk(void **state)
{
	(void)state;
	voter_of_three();
	run_for(5);
	w.free_bytes = 0;
	w.running = false;
	w.exit_code = 1;
	w.run_msg = "Error response from daemon: mkdir /var/lib/system-docker/overlay2/4b1f-init: no space left "
		    "on device";
	run_for(2);
	assert_int_equal(count("paddock: etcd FAILED: the container exited with 1 (no space left on the state "
			       "disk); starting it again in 1 s"), 1);
	run_for(2);
	assert_true(count("paddock: etcd FAILED: no space left on the state disk (0 MiB free in /var/lib/etcd)\n") >= 1);
	assert_null(strstr(console(), "overlay2"));
	assert_string_equal(w.detail, "no space left on the state disk (0 MiB free in /var/lib/etcd)");
}

/* System Docker never answers: said, the provisioner ends */
static void docker_never_answers(void **state)
{
	(void)state;
	start(SINGLE, NULL);
	w.docker_up = false;
	run_for(130);
	assert_int_equal(p.phase, PROV_FAILED);
	assert_int_equal(count("paddock: provisioner FAILED: System Docker did not answer within 120 s"), 1);
	assert_int_equal(w.run_calls, 0);
}

/* the shutdown: a running snapshot killed, etcd stopped */
static void stop_kills_the_snapshot(void **state)
{
	(void)state;
	voter_of_three();
	w.snap_secs = 1e9;
	run_for(5);
	assert_true(w.snap_running);
	prov_stop(&p);
	assert_int_equal(w.snap_kills, 1);
	/* its container is left to System Docker's stop: the time goes to etcd's */
	assert_int_equal(w.snap_removals, 0);
	assert_int_equal(w.stop_calls, 1);
	assert_int_equal(count("etcd snapshot not finished: the node is shutting down"), 1);
	assert_string_equal(w.stage, "stopped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(single_node_restart_takes_snapshots, setup, teardown),
		cmocka_unit_test_setup_teardown(voter_by_the_local_member, setup, teardown),
		cmocka_unit_test_setup_teardown(learner_found_after_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(promotion_answer_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(peer_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_once, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(snapshot_due_while_one_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(snapshot_on_a_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(etcd_on_a_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(docker_never_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_kills_the_snapshot, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
