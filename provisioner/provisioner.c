#include "provisioner.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "disk_full.h"
#include "docker_api.h"
#include "etcd_client.h"
#include "etcd_conf.h"
#include "etcd_container.h"
#include "etcd_join.h"
#include "etcd_restore.h"
#include "fsutil.h"
#include "peer_probe.h"
#include "prov_status.h"
#include "provision.h"
#include "snapshot_take.h"
#include "strbuf.h"
#include "strv.h"

#define LOCAL_URL "https://127.0.0.1:2379"
#define TICK_SECS 2.0
/* in etcd's first minute, until it is first healthy: the os-services wait
 * for that line */
#define FIRST_TICK_SECS 0.5
#define FIRST_TICKS_FOR_SECS 60.0
#define MEMBERS_EVERY_SECS 10.0
#define DOCKER_WAIT_SECS 120.0
/* health checks that fail in a row before etcd counts as unhealthy */
#define UNHEALTHY_AFTER 2
#define PEER_WAIT_FIRST 10.0
#define BACKOFF_MAX 60.0
/* a learner is promoted once it has caught up: soon on a small cluster */
#define PROMOTE_BACKOFF_MAX 8.0
/* a join that waits for the cluster (another join, a member away) asks
 * again at least this often */
#define JOIN_RETRY_MAX 15.0

/* etcd's stop at shutdown: its grace, and how long Docker may take to
 * answer beyond it */
#define ETCD_STOP_GRACE_SECS 10
#define ETCD_STOP_ANSWER_SECS 5

static volatile sig_atomic_t stop_asked;

static void on_term(int sig)
{
	(void)sig;
	stop_asked = 1;
}

struct prov {
	struct etcd_conf ec;
	struct etcd_client cl;
	struct docker *d;
	const char *stage;
	double since;
	char *detail;
	bool healthy, ever_healthy;
	unsigned fails;
	double started_at, next_restart, restart_backoff;
	double next_peers, peers_backoff, next_members;
	struct etcd_member *members;
	size_t nmembers;
	uint64_t leader;
	char **health;
	struct snapshots sn;
	uint64_t learner;       /* this member's ID while it is a learner to promote */
	bool check_learner;     /* restarted from its data: ask whether it is a learner still */
	bool fresh_new;         /* started a new cluster from a blank disk, not healthy since */
	bool join_failed;       /* the last start failed on the way into the running cluster */
	double next_promote, promote_backoff;
};

static void write_status(struct prov *p)
{
	struct perr err = PERR_INIT;
	struct prov_status s = { p->stage, p->since, p->detail, p->members, p->nmembers, p->leader,
				 (const char *const *)p->health, &p->sn.last, p->sn.error };

	if (prov_status_write(PROVISIONER_STATUS, &s, &err) < 0)
		console_line("provisioner: status: %s", err.msg);
	perr_clear(&err);
}

/* Moves to a stage; detail is printf-style (NULL: none). */
static void __attribute__((format(printf, 3, 4))) set_stage(struct prov *p, const char *stage, const char *fmt, ...)
{
	char *d = NULL;

	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		if (vasprintf(&d, fmt, ap) < 0)
			d = NULL;
		va_end(ap);
	}
	if (!p->stage || strcmp(p->stage, stage))
		p->since = boot_seconds();
	p->stage = stage;
	free(p->detail);
	p->detail = d;
	write_status(p);
}

static void nap(double s)
{
	double end = boot_seconds() + s;

	while (!stop_asked && boot_seconds() < end)
		sleep_s(0.1);
}

/* 1 s, then doubled up to max */
static double backoff(double cur, double max)
{
	return cur <= 0 ? 1 : cur * 2 > max ? max : cur * 2;
}

static int wait_docker(struct prov *p, struct perr *err)
{
	double end = boot_seconds() + DOCKER_WAIT_SECS;
	int r;

	if ((r = docker_open(SYSTEM_DOCKER_SOCK, &p->d, err)) < 0)
		return r;
	/* asked to stop, the provisioner leaves any request at once */
	docker_set_cancel(p->d, &stop_asked);
	docker_set_timeout(p->d, 5);
	while (!stop_asked) {
		perr_clear(err);
		if (docker_ping(p->d, err) == 0)
			break;
		if (boot_seconds() > end)
			return perr_wrap(err, "System Docker did not answer within %.0f s", DOCKER_WAIT_SECS);
		nap(1);
	}
	docker_set_timeout(p->d, 120);
	return 0;
}

/* paddock-services may load its images now (ETCD_START_TRIED). */
static void start_tried(void)
{
	struct perr err = PERR_INIT;

	if (access(ETCD_START_TRIED, F_OK) < 0)
		write_file(ETCD_START_TRIED, "", 0, 0644, &err);
	perr_clear(&err);
}

/* A node without etcd data: the running cluster adds it (etcd_join.h), or
 * it is a member of the new cluster of the build. */
static int prepare_fresh(struct prov *p, const char **mode, struct perr *err)
{
	bool listed = false, joined = false;
	int r;

	for (size_t i = 0; i < p->ec.npeers; i++)
		listed |= !strcmp(p->ec.peers[i].name, p->ec.name);
	set_stage(p, "asking the cluster", "whether an etcd cluster runs already");
	if ((r = etcd_join_prepare(&p->cl, &p->ec, &joined, &p->learner, err)) < 0) {
		p->join_failed = true;
		return r;
	}
	if (joined) {
		*mode = p->learner ? "added member, learner" : "added member";
		p->next_promote = 0;
		p->promote_backoff = 0;
		return 0;
	}
	if (!listed)
		return perr_set(err, -EAGAIN, "%s is not in --initial-cluster and no etcd member answered: it joins "
				"once one does", p->ec.name);
	*mode = "new cluster";
	p->fresh_new = true;
	if (etcd_flag_set(&p->ec.sc, "initial-cluster-state", "new") < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* The etcd container, from its conf: a restart of the member its data
 * folder holds, a member the running cluster added, or a member of the
 * new cluster of the build. */
static int start_etcd(struct prov *p, struct perr *err)
{
	bool has_data = false, restored = false;
	const char *mode = "existing member";
	int r;

	p->join_failed = false;
	set_stage(p, "loading etcd image", "%s", p->ec.sc.image);
	if ((r = etcd_image_ensure(p->d, p->ec.sc.image, err)) < 0)
		return perr_wrap(err, "etcd image");
	if ((r = etcd_data_prepare(&p->ec, &has_data, err)) < 0)
		return r;
	if ((r = etcd_restore(p->d, &p->ec, p->sn.policy.restore, &restored, err)) < 0)
		return r;
	has_data |= restored;
	if (!has_data && (r = prepare_fresh(p, &mode, err)) < 0)
		return r;
	p->check_learner = has_data;
	set_stage(p, "starting etcd", has_data ? "the same member again (%s holds its data)" : "%s: %s", has_data ?
		  p->ec.data_dir : mode, etcd_flag(&p->ec.sc, "initial-cluster"));
	if ((r = etcd_container_run(p->d, &p->ec, err)) < 0)
		return perr_wrap(err, "etcd container");
	console_line("etcd started as %s (%s) %.2f", p->ec.name, mode, boot_seconds());
	p->started_at = boot_seconds();
	p->next_peers = p->started_at + PEER_WAIT_FIRST;
	p->peers_backoff = PEER_WAIT_FIRST;
	return 0;
}

/* A start that failed: said, and tried again with a back-off. */
static void start_failed(struct prov *p, const char *msg, double now)
{
	stage_failed("etcd", "%s", msg);
	set_stage(p, "etcd failed", "%s", msg);
	p->restart_backoff = backoff(p->restart_backoff, p->join_failed ? JOIN_RETRY_MAX : BACKOFF_MAX);
	p->next_restart = now + p->restart_backoff;
}

static void promoted(struct prov *p, uint64_t id, double now)
{
	console_line("etcd: learner %016llx promoted to voter %.2f", (unsigned long long)id, now);
	p->learner = 0;
	p->next_members = 0;
	p->promote_backoff = 0;
}

/* A learner (just added, or found so after a restart) is promoted once
 * etcd lets it, retried with back-off.  A promotion whose answer was lost
 * (a timeout on a loaded machine) may have been applied all the same:
 * after a failed try the membership is asked again, and a member that is
 * a voter now counts as promoted. */
static void promote_tick(struct prov *p, double now)
{
	struct perr err = PERR_INIT;

	if ((!p->learner && !p->check_learner) || now < p->next_promote)
		return;
	if (p->check_learner) {
		bool member;
		uint64_t was = p->learner;
		if (etcd_join_self(&p->cl, &p->ec, &member, &p->learner, &err) == 0) {
			p->check_learner = false;
			if (p->learner && !was)
				console_line("etcd: this member is a learner still (%016llx): promoting it",
					     (unsigned long long)p->learner);
			else if (!p->learner && was && member)
				promoted(p, was, now);
		} else {
			p->learner = was;
		}
	} else if (etcd_join_promote(&p->cl, &p->ec, p->learner, &err) == 0) {
		promoted(p, p->learner, now);
	} else {
		set_stage(p, "learner", "not promoted yet: %s", err.msg);
		p->check_learner = true;
	}
	perr_clear(&err);
	if (!p->learner && !p->check_learner)
		return;
	p->promote_backoff = backoff(p->promote_backoff, PROMOTE_BACKOFF_MAX);
	p->next_promote = now + p->promote_backoff;
}

static void members_free(struct prov *p)
{
	etcd_members_free(p->members, p->nmembers);
	strv_free(p->health);
	p->members = NULL;
	p->health = NULL;
	p->nmembers = 0;
}

/* Membership and each member's health, for the status. */
static void refresh_members(struct prov *p)
{
	struct perr err = PERR_INIT;
	struct etcd_member *m = NULL;
	uint64_t self = 0, leader = 0;
	size_t n = 0;
	struct etcd_client quick = etcd_client_like(&p->cl, 5000);

	if (etcd_member_list(&p->cl, LOCAL_URL, &m, &n, &err) < 0) {
		perr_clear(&err);
		return;
	}
	etcd_status(&p->cl, LOCAL_URL, &self, &leader, &err);
	perr_clear(&err);
	members_free(p);
	p->members = m;
	p->nmembers = n;
	p->leader = leader;
	p->health = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; p->health && i < n; i++) {
		const char *url = *m[i].client_url ? m[i].client_url : NULL;
		int r = url ? etcd_health(&quick, url, &err) : -ENOENT;
		p->health[i] = strdup(r == 0 ? "healthy" : url ? "unhealthy" : "?");
		perr_clear(&err);
	}
	etcd_client_close(&quick);
}

/* etcd's own last lines on the console: why it waits or stopped.  True
 * when they say the disk is full. */
static bool say_last_lines(struct prov *p)
{
	struct perr err = PERR_INIT;
	char *logs = NULL, *save = NULL;
	size_t len = 0;
	bool full = false;

	if (docker_container_logs(p->d, "etcd", 3, &logs, &len, &err) == 0) {
		full = disk_full_said(logs);
		for (char *l = strtok_r(logs, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			console_line("etcd: %s", l);
	}
	perr_clear(&err);
	free(logs);
	return full;
}

/* A member started as one of a new cluster from a blank disk, never
 * healthy, while a running cluster answers without it: the node was added
 * to the cluster file and booted while no member ran.  Its data cannot
 * hold anything of that cluster: wiped, and the node joins.  True when it
 * did. */
static bool rejoin_if_outside(struct prov *p, double now)
{
	struct perr err = PERR_INIT;
	bool member = true;
	uint64_t learner = 0;
	char *dir;

	if (!p->fresh_new || p->ever_healthy || etcd_join_self(&p->cl, &p->ec, &member, &learner, &err) < 0 ||
	    member) {
		perr_clear(&err);
		return false;
	}
	console_line("etcd: a running cluster answers without this node, started as a new cluster: wiping its "
		     "fresh data and joining");
	p->fresh_new = false;
	if (docker_container_stop(p->d, "etcd", ETCD_STOP_GRACE_SECS, &err) < 0 && err.code != -ENOENT)
		console_line("etcd: stop: %s", err.msg);
	perr_clear(&err);
	if (!(dir = path_join(p->ec.data_dir, "member")) || rm_rf(dir, &err) < 0 || start_etcd(p, &err) < 0)
		start_failed(p, err.msg ? err.msg : "out of memory", now);
	free(dir);
	perr_clear(&err);
	return true;
}

/* Names the peers that do not answer yet, less and less often. */
static void report_peers(struct prov *p, double now)
{
	struct strbuf sb = STRBUF_INIT;
	size_t missing = 0;

	if (now < p->next_peers || rejoin_if_outside(p, now))
		return;
	for (size_t i = 0; i < p->ec.npeers; i++) {
		if (!strcmp(p->ec.peers[i].name, p->ec.name) || peer_reachable(p->ec.peers[i].peer_url, 1000))
			continue;
		sb_printf(&sb, "%s%s (%s)", missing++ ? ", " : "", p->ec.peers[i].name, p->ec.peers[i].peer_url);
	}
	p->peers_backoff = backoff(p->peers_backoff, BACKOFF_MAX);
	p->next_peers = now + p->peers_backoff;
	if (missing) {
		console_line("etcd: waiting for %zu of %zu peers: %s not answering; next look in %.0f s", missing,
			     p->ec.npeers, sb.s ? sb.s : "?", p->peers_backoff);
		set_stage(p, "waiting for peers", "%s not answering", sb.s ? sb.s : "?");
	} else {
		set_stage(p, "waiting for quorum", "every peer answers; etcd is not healthy yet");
		console_line("etcd: every peer answers, not healthy yet; next look in %.0f s", p->peers_backoff);
	}
	sb_free(&sb);
	say_last_lines(p);
}

static void on_health(struct prov *p, bool ok, double now)
{
	struct perr err = PERR_INIT;

	if (ok) {
		p->fails = 0;
		if (!p->healthy) {
			p->healthy = true;
			write_file(ETCD_HEALTHY, "", 0, 0644, &err);
			perr_clear(&err);
			if (!p->ever_healthy)
				stage_ok_as("etcd", "etcd healthy");
			else
				console_line("etcd healthy again %.2f", now);
			p->ever_healthy = true;
			p->next_members = 0;
			p->restart_backoff = 0;
		}
		if (now >= p->next_members) {
			refresh_members(p);
			p->next_members = now + MEMBERS_EVERY_SECS;
			set_stage(p, "etcd healthy", "%zu members", p->nmembers);
		}
		return;
	}
	if (++p->fails < UNHEALTHY_AFTER || !p->healthy)
		return;
	p->healthy = false;
	unlink(ETCD_HEALTHY);
	console_line("etcd unhealthy %.2f", now);
	set_stage(p, "etcd unhealthy", "no healthy answer on %s", LOCAL_URL);
	p->next_peers = now + PEER_WAIT_FIRST;
	p->peers_backoff = PEER_WAIT_FIRST;
}

/* The container stopped: say why (its last lines), start it again later. */
static void on_exit_code(struct prov *p, int code, double now)
{
	if (p->next_restart > now)
		return;
	if (p->healthy || p->fails < UNHEALTHY_AFTER) {
		p->fails = UNHEALTHY_AFTER;
		p->healthy = true;
		on_health(p, false, now);
	}
	const char *why = say_last_lines(p) ? " (" DISK_FULL_WORDS ")" : "";
	p->restart_backoff = backoff(p->restart_backoff, BACKOFF_MAX);
	p->next_restart = now + p->restart_backoff;
	stage_failed("etcd", "the container exited with %d%s; starting it again in %.0f s", code, why,
		     p->restart_backoff);
	set_stage(p, "etcd stopped", "exited with %d%s; starting again in %.0f s", code, why, p->restart_backoff);
}

static void watch(struct prov *p)
{
	struct perr err = PERR_INIT;

	while (!stop_asked) {
		double now = boot_seconds();
		int code = 0, r = etcd_container_running(p->d, &code, &err);
		perr_clear(&err);
		if (r == 0 || r == -ENOENT) {
			if (p->next_restart && now >= p->next_restart) {
				p->next_restart = 0;
				if (start_etcd(p, &err) < 0)
					start_failed(p, err.msg, now);
				perr_clear(&err);
			} else {
				on_exit_code(p, r == 0 ? code : -1, now);
			}
		} else if (r == 1) {
			bool ok = etcd_health(&p->cl, LOCAL_URL, &err) == 0;
			perr_clear(&err);
			on_health(p, ok, now);
			promote_tick(p, now);
			/* a learner takes no snapshot: etcd serves it none, and
			 * the wait held up its promotion for minutes */
			if (p->healthy && !p->learner && !p->check_learner &&
			    snapshots_tick(&p->sn, p->d, &p->ec))
				write_status(p);
			if (!p->healthy)
				report_peers(p, now);
		}
		nap(!p->ever_healthy && now < p->started_at + FIRST_TICKS_FOR_SECS ? FIRST_TICK_SECS : TICK_SECS);
	}
}

static void stop_etcd(struct prov *p)
{
	struct perr err = PERR_INIT;

	unlink(ETCD_HEALTHY);
	if (p->d) {
		docker_set_cancel(p->d, NULL);
		/* within /init's 20 s for the provisioner: a Docker too slow
		 * to answer leaves etcd to its own shutdown, which stops it
		 * the same way (SIGTERM, then 10 s) */
		docker_set_timeout(p->d, ETCD_STOP_ANSWER_SECS);
	}
	if (p->d && docker_container_stop(p->d, "etcd", ETCD_STOP_GRACE_SECS, &err) < 0 && err.code != -ENOENT)
		console_line("etcd: stop: %s; System Docker stops it as it shuts down", err.msg);
	perr_clear(&err);
	set_stage(p, "stopped", NULL);
}

int provisioner_run(void)
{
	struct prov p = { 0 };
	struct perr err = PERR_INIT;
	struct sigaction sa = { .sa_handler = on_term };
	int r, code = 0;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	mkdir_p("/run/paddock", 0755, &err);
	perr_clear(&err);
	unlink(ETCD_HEALTHY);

	r = etcd_conf_find(CONTAINERS_DIR, &p.ec, &err);
	if (r == -ENOENT) {
		set_stage(&p, "no etcd role", NULL);
		while (!stop_asked)
			nap(3600);
		goto out;
	}
	if (r < 0) {
		stage_failed("provisioner", "%s", err.msg);
		set_stage(&p, "failed", "%s", err.msg);
		start_tried();
		code = 1;
		goto out;
	}
	snapshots_setup(&p.sn);
	/* generous: a TLS handshake and a quorum read on a loaded machine */
	p.cl = (struct etcd_client){ p.ec.ca, p.ec.cert, p.ec.key, 8000, NULL, &stop_asked };
	set_stage(&p, "waiting for System Docker", NULL);
	if (wait_docker(&p, &err) < 0) {
		stage_failed("provisioner", "%s", err.msg);
		set_stage(&p, "failed", "%s", err.msg);
		start_tried();
		code = 1;
		goto out;
	}
	if (stop_asked)
		goto out;
	if (start_etcd(&p, &err) < 0)
		start_failed(&p, err.msg, boot_seconds());
	start_tried();
	perr_clear(&err);
	watch(&p);
	stop_etcd(&p);
out:
	perr_clear(&err);
	members_free(&p);
	snapshots_free(&p.sn);
	free(p.detail);
	etcd_client_close(&p.cl);
	etcd_conf_free(&p.ec);
	docker_close(p.d);
	return code;
}
