#include "prov_machine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "disk_full.h"
#include "join_plan.h"
#include "prov_members.h"
#include "provision.h"
#include "report_queue.h"
#include "strbuf.h"

#define LOCAL_URL "https://127.0.0.1:2379"
#define TICK_SECS 2.0
/* in etcd's first minute, until it is first healthy: the os-services wait
 * for that line */
#define FIRST_TICK_SECS 0.5
#define FIRST_TICKS_FOR_SECS 60.0
#define MEMBERS_EVERY_SECS 10.0
#define DOCKER_WAIT_SECS 120.0
#define DOCKER_PING_EVERY 1.0
/* health checks that fail in a row before etcd counts as unhealthy */
#define UNHEALTHY_AFTER 2
#define PEER_WAIT_FIRST 10.0
#define BACKOFF_MAX 60.0
/* a learner is promoted once it has caught up: soon on a small cluster */
#define PROMOTE_BACKOFF_MAX 8.0
/* a join that waits for the cluster (another join, a member away) asks
 * again at least this often */
#define JOIN_RETRY_MAX 15.0
/* a snapshot still running after this is killed (etcdctl's own
 * --command-timeout is 120 s) */
#define SNAPSHOT_DEADLINE_SECS 180.0

static const char *const phase_names[] = {
	[PROV_WAIT_DOCKER] = "WAIT_DOCKER",   [PROV_START_ETCD] = "START_ETCD",
	[PROV_WAIT_HEALTHY] = "WAIT_HEALTHY", [PROV_HEALTHY] = "HEALTHY",
	[PROV_UNHEALTHY] = "UNHEALTHY",       [PROV_RESTART_BACKOFF] = "RESTART_BACKOFF",
	[PROV_RESTORE_REFUSED] = "RESTORE_REFUSED", [PROV_FAILED] = "FAILED",
	[PROV_STOPPED] = "STOPPED",
};

const char *prov_phase_name(enum prov_phase ph)
{
	return (unsigned)ph < sizeof(phase_names) / sizeof(phase_names[0]) ? phase_names[ph] : "?";
}

static double now_of(struct prov *p)
{
	return p->ops->now(p->ctx);
}

static void write_status(struct prov *p)
{
	struct prov_status s = { p->stage, p->since, p->detail, p->members, p->nmembers, p->leader,
				 (const char *const *)p->health, &p->sn.last, p->sn.error };

	p->ops->status(p->ctx, &s);
}

/* Moves to a stage of the status; detail is printf-style (NULL: none). */
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
		p->since = now_of(p);
	p->stage = stage;
	free(p->detail);
	p->detail = d;
	write_status(p);
}

/* 1 s, then doubled up to max */
static double backoff(double cur, double max)
{
	return cur <= 0 ? 1 : cur * 2 > max ? max : cur * 2;
}

void prov_init(struct prov *p)
{
	p->phase = PROV_WAIT_DOCKER;
	p->role = ROLE_ASK;
}

/* paddock-services may load its images now (ETCD_START_TRIED). */
static void start_tried(struct prov *p)
{
	if (!p->start_tried)
		p->ops->mark(p->ctx, ETCD_START_TRIED, true);
	p->start_tried = true;
}

/* --- WAIT_DOCKER -------------------------------------------------------- */

static double ph_wait_docker(struct prov *p, double now)
{
	struct perr err = PERR_INIT;

	if (!p->docker_deadline) {
		p->docker_deadline = now + DOCKER_WAIT_SECS;
		set_stage(p, "waiting for System Docker", NULL);
	}
	if (p->ops->docker_ping(p->ctx, &err) == 0) {
		p->phase = PROV_START_ETCD;
		perr_clear(&err);
		return 0;
	}
	if (now > p->docker_deadline) {
		stage_failed("provisioner", "System Docker did not answer within %.0f s: %s", DOCKER_WAIT_SECS,
			     err.msg ? err.msg : "?");
		set_stage(p, "failed", "System Docker did not answer within %.0f s: %s", DOCKER_WAIT_SECS,
			  err.msg ? err.msg : "?");
		start_tried(p);
		p->phase = PROV_FAILED;
	}
	perr_clear(&err);
	return DOCKER_PING_EVERY;
}

/* --- START_ETCD --------------------------------------------------------- */

/* A node without etcd data: the running cluster adds it (etcd_join.h), or
 * it is a member of the new cluster of the build. */
static int prepare_fresh(struct prov *p, const char **mode, struct perr *err)
{
	bool listed = false, joined = false;
	uint64_t learner = 0;
	int r;

	for (size_t i = 0; i < p->ec.npeers; i++)
		listed |= !strcmp(p->ec.peers[i].name, p->ec.name);
	set_stage(p, "asking the cluster", "whether an etcd cluster runs already");
	if ((r = p->ops->join_prepare(p->ctx, &p->ec, &joined, &learner, err)) < 0) {
		p->join_failed = true;
		return r;
	}
	if (joined) {
		*mode = learner ? "added member, learner" : "added member";
		p->learner = learner;
		p->role = learner ? ROLE_LEARNER : ROLE_VOTER;
		p->next_role = 0;
		p->role_backoff = 0;
		return 0;
	}
	if (!listed)
		return perr_set(err, -EAGAIN, "%s is not in --initial-cluster and no etcd member answered: it joins "
				"once one does", p->ec.name);
	*mode = "new cluster";
	p->fresh_new = true;
	p->role = ROLE_VOTER;
	if (etcd_flag_set(&p->ec.sc, "initial-cluster-state", "new") < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

static const char *self_url(const struct prov *p)
{
	const char *u = etcd_flag(&p->ec.sc, "initial-advertise-peer-urls");
	return u ? u : "";
}

/* The build's cluster is this member alone: nobody else to ask, and it
 * is a voter (a cluster of one has no learner). */
static bool only_peer(const struct prov *p)
{
	return p->ec.npeers == 1 && !strcmp(p->ec.peers[0].name, p->ec.name);
}

/* The member its data folder holds, started again (or restored): a voter
 * when it is the only peer, else a voter or a learner as the cluster
 * says. */
static void role_from_data(struct prov *p)
{
	p->role = only_peer(p) ? ROLE_VOTER : ROLE_ASK;
	p->next_role = 0;
	p->role_backoff = 0;
}

/* The restore asked for, once per run: < 0 refused. */
static int restore_once(struct prov *p, bool *has_data, struct perr *err)
{
	bool restored = false;
	int r;

	if (p->restore_checked || !p->sn.policy.restore)
		return 0;
	if ((r = p->ops->restore(p->ctx, &p->ec, p->sn.policy.restore, &restored, err)) < 0)
		return r;
	p->restore_checked = true;
	*has_data |= restored;
	return 0;
}

/* The etcd container, from its conf: a restart of the member its data
 * folder holds, a member the running cluster added, or a member of the
 * new cluster of the build.  *refused: the restore refused it. */
static int start_etcd(struct prov *p, bool *refused, struct perr *err)
{
	bool has_data = false;
	const char *mode = "existing member";
	int r;

	*refused = false;
	p->join_failed = false;
	/* retrying a refused restore, the status keeps saying why etcd is
	 * stopped until the answer changes */
	if (!p->refused)
		set_stage(p, "loading etcd image", "%s", p->ec.sc.image);
	if ((r = p->ops->image_ensure(p->ctx, p->ec.sc.image, err)) < 0)
		return perr_wrap(err, "etcd image");
	if ((r = p->ops->data_prepare(p->ctx, &p->ec, &has_data, err)) < 0)
		return r;
	if ((r = restore_once(p, &has_data, err)) < 0) {
		*refused = true;
		return r;
	}
	if (!has_data && (r = prepare_fresh(p, &mode, err)) < 0)
		return r;
	if (has_data)
		role_from_data(p);
	set_stage(p, "starting etcd", has_data ? "the same member again (%s holds its data)" : "%s: %s", has_data ?
		  p->ec.data_dir : mode, etcd_flag(&p->ec.sc, "initial-cluster"));
	if ((r = p->ops->container_run(p->ctx, &p->ec, err)) < 0)
		return perr_wrap(err, "etcd container");
	console_line("etcd started as %s (%s) %.2f", p->ec.name, mode, now_of(p));
	(void)report_queue_append(REPORT_QUEUE, now_of(p), "etcd-member", mode);
	return 0;
}

/* A start that failed: said (a full state disk as such, not in Docker's
 * words), and tried again with a back-off. */
static void start_failed(struct prov *p, const char *msg, double now)
{
	char *full = disk_full_reason(msg, p->ec.data_dir, p->ops->free_bytes(p->ctx, p->ec.data_dir),
				      DISK_FULL_ROOM);

	if (full)
		msg = full;
	stage_failed("etcd", "%s", msg);
	set_stage(p, "etcd failed", "%s", msg);
	free(full);
	p->restart_backoff = backoff(p->restart_backoff, p->join_failed ? JOIN_RETRY_MAX : BACKOFF_MAX);
	p->next_restart = now + p->restart_backoff;
	p->phase = PROV_RESTART_BACKOFF;
}

/* A restore refused: etcd is not started from the data the operator asked
 * to replace.  Said once (the same reason again is not said again); the
 * restore is tried again at growing intervals, in case the file changes. */
static void restore_refused(struct prov *p, const char *msg, double now)
{
	if (!p->refused || strcmp(p->refused, msg)) {
		stage_failed("etcd", "%s", msg);
		free(p->refused);
		p->refused = strdup(msg);
	}
	set_stage(p, "etcd failed", "%s", msg);
	p->restart_backoff = backoff(p->restart_backoff, BACKOFF_MAX);
	p->next_restart = now + p->restart_backoff;
	p->phase = PROV_RESTORE_REFUSED;
}

static double ph_start_etcd(struct prov *p, double now)
{
	struct perr err = PERR_INIT;
	bool refused = false;

	if (start_etcd(p, &refused, &err) < 0) {
		const char *msg = err.msg ? err.msg : "?";
		if (refused)
			restore_refused(p, msg, now);
		else
			start_failed(p, msg, now);
	} else {
		/* the start itself (image, restore, container) takes a while */
		now = now_of(p);
		free(p->refused);
		p->refused = NULL;
		p->started_at = now;
		p->fails = 0;
		p->next_peers = now + PEER_WAIT_FIRST;
		p->peers_backoff = PEER_WAIT_FIRST;
		p->phase = PROV_WAIT_HEALTHY;
	}
	start_tried(p);
	perr_clear(&err);
	return p->phase == PROV_WAIT_HEALTHY ? FIRST_TICK_SECS : p->next_restart - now;
}

/* --- RESTART_BACKOFF, RESTORE_REFUSED ------------------------------------ */

static double ph_backoff(struct prov *p, double now)
{
	if (now < p->next_restart)
		return p->next_restart - now < TICK_SECS ? p->next_restart - now : TICK_SECS;
	p->phase = PROV_START_ETCD;
	return 0;
}

/* --- the role: learner promoted, voter known ----------------------------- */

static void promoted(struct prov *p, uint64_t id, double now)
{
	console_line("etcd: learner %016llx promoted to voter %.2f", (unsigned long long)id, now);
	p->learner = 0;
	p->role = ROLE_VOTER;
	p->next_members = 0;
	p->role_backoff = 0;
}

/* What the cluster says of this member: *ret_member (listed) and
 * *ret_learner (its ID while a learner); < 0 no answer.  The local
 * member first (it answers on a single node, where there is no other
 * peer to ask; a learner does not answer), then the other peers. */
static int ask_role(struct prov *p, bool *ret_member, uint64_t *ret_learner, struct perr *err)
{
	struct etcd_member *m = NULL;
	size_t n = 0, i;

	if (p->ops->members(p->ctx, LOCAL_URL, &m, &n, err) == 0) {
		i = join_find(m, n, self_url(p));
		*ret_member = i < n;
		*ret_learner = i < n && m[i].learner ? m[i].id : 0;
		etcd_members_free(m, n);
		if (*ret_member)
			return 0;
	}
	perr_clear(err);
	return p->ops->join_self(p->ctx, &p->ec, ret_member, ret_learner, err);
}

/* A learner (just added, or found so after a restart) is promoted once
 * etcd lets it, retried with back-off.  A promotion whose answer was lost
 * (a timeout on a loaded machine) may have been applied all the same:
 * after a failed try the membership is asked again, and a member that is
 * a voter now counts as promoted. */
static void role_tick(struct prov *p, double now)
{
	struct perr err = PERR_INIT;

	if (p->role == ROLE_VOTER || now < p->next_role)
		return;
	if (p->role == ROLE_ASK) {
		bool member = false;
		uint64_t learner = 0;
		if (ask_role(p, &member, &learner, &err) == 0) {
			if (learner) {
				if (!p->learner)
					console_line("etcd: this member is a learner still (%016llx): promoting it",
						     (unsigned long long)learner);
				p->learner = learner;
				p->role = ROLE_LEARNER;
			} else if (member) {
				if (p->learner)
					promoted(p, p->learner, now);
				p->role = ROLE_VOTER;
			}
		}
	} else if (p->ops->join_promote(p->ctx, &p->ec, p->learner, &err) == 0) {
		promoted(p, p->learner, now);
	} else {
		set_stage(p, "learner", "not promoted yet: %s", err.msg ? err.msg : "?");
		p->role = ROLE_ASK;
	}
	perr_clear(&err);
	if (p->role == ROLE_VOTER)
		return;
	p->role_backoff = backoff(p->role_backoff, PROMOTE_BACKOFF_MAX);
	p->next_role = now + p->role_backoff;
}

/* --- snapshots beside the loop ------------------------------------------ */

static void snapshot_tick(struct prov *p, double now)
{
	struct perr err = PERR_INIT;
	struct snapshot_result res;
	time_t wall = p->ops->wall(p->ctx);

	if (p->snap_running) {
		if (p->ops->snap_poll(p->ctx, &res) == 0) {
			if (now < p->snap_deadline)
				return;
			p->ops->snap_kill(p->ctx, true);
			memset(&res, 0, sizeof(res));
			res.r = -ETIMEDOUT;
			res.free_bytes = p->ops->free_bytes(p->ctx, SNAPSHOT_DIR);
			snprintf(res.msg, sizeof(res.msg), "not finished within %.0f s: stopped",
				 SNAPSHOT_DEADLINE_SECS);
		}
		p->snap_running = false;
		snapshots_done(&p->sn, &res, wall);
		write_status(p);
		return;
	}
	/* only a healthy voter: etcd serves a learner no snapshot, and the
	 * wait held up its promotion for minutes */
	if (p->phase != PROV_HEALTHY || p->role != ROLE_VOTER || !snapshots_due(&p->sn, wall))
		return;
	if (p->ops->snap_start(p->ctx, &p->ec, p->sn.node, wall, &err) < 0) {
		memset(&res, 0, sizeof(res));
		res.r = err.code ? err.code : -EIO;
		res.free_bytes = -1;
		snprintf(res.msg, sizeof(res.msg), "%s", err.msg ? err.msg : "?");
		snapshots_done(&p->sn, &res, wall);
		write_status(p);
	} else {
		p->snap_running = true;
		p->snap_deadline = now + SNAPSHOT_DEADLINE_SECS;
	}
	perr_clear(&err);
}

/* --- WAIT_HEALTHY, HEALTHY, UNHEALTHY: etcd running ----------------------- */

/* etcd's own last lines on the console: why it waits or stopped.  True
 * when they say the disk is full. */
static bool say_last_lines(struct prov *p)
{
	struct perr err = PERR_INIT;
	char *logs = NULL, *save = NULL;
	bool full = false;

	if (p->ops->container_logs(p->ctx, 3, &logs, &err) == 0 && logs) {
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

	if (!p->fresh_new || p->ever_healthy || p->ops->join_self(p->ctx, &p->ec, &member, &learner, &err) < 0 ||
	    member) {
		perr_clear(&err);
		return false;
	}
	console_line("etcd: a running cluster answers without this node, started as a new cluster: wiping its "
		     "fresh data and joining");
	p->fresh_new = false;
	if (p->ops->container_stop(p->ctx, &err) < 0 && err.code != -ENOENT)
		console_line("etcd: stop: %s", err.msg);
	perr_clear(&err);
	if (p->ops->wipe_member(p->ctx, &p->ec, &err) < 0)
		start_failed(p, err.msg ? err.msg : "?", now);
	else
		p->phase = PROV_START_ETCD;
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
		if (!strcmp(p->ec.peers[i].name, p->ec.name) || p->ops->peer_reachable(p->ctx, p->ec.peers[i].peer_url))
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

static void became_healthy(struct prov *p, double now)
{
	p->ops->mark(p->ctx, ETCD_HEALTHY, true);
	if (!p->ever_healthy)
		stage_ok_as("etcd", "etcd healthy");
	else
		console_line("etcd healthy again %.2f", now);
	p->ever_healthy = true;
	p->fresh_new = false;
	p->next_members = 0;
	p->restart_backoff = 0;
	p->phase = PROV_HEALTHY;
}

static void became_unhealthy(struct prov *p, double now)
{
	p->ops->mark(p->ctx, ETCD_HEALTHY, false);
	console_line("etcd unhealthy %.2f", now);
	set_stage(p, "etcd unhealthy", "no healthy answer on %s", LOCAL_URL);
	p->next_peers = now + PEER_WAIT_FIRST;
	p->peers_backoff = PEER_WAIT_FIRST;
	p->phase = PROV_UNHEALTHY;
}

/* The container stopped: say why (its last lines, or the state disk's
 * room: on a full disk Docker may keep none of them), start it again
 * later. */
static void container_exited(struct prov *p, int code, double now)
{
	long long room;
	bool full;

	if (p->phase == PROV_HEALTHY)
		became_unhealthy(p, now);
	full = say_last_lines(p);
	room = p->ops->free_bytes(p->ctx, p->ec.data_dir);
	full |= room >= 0 && room < DISK_FULL_ROOM;
	const char *why = full ? " (" DISK_FULL_WORDS ")" : "";
	p->restart_backoff = backoff(p->restart_backoff, BACKOFF_MAX);
	p->next_restart = now + p->restart_backoff;
	stage_failed("etcd", "the container exited with %d%s; starting it again in %.0f s", code, why,
		     p->restart_backoff);
	set_stage(p, "etcd stopped", "exited with %d%s; starting again in %.0f s", code, why, p->restart_backoff);
	p->phase = PROV_RESTART_BACKOFF;
}

static double ph_running(struct prov *p, double now)
{
	struct perr err = PERR_INIT;
	int code = 0, r = p->ops->container_state(p->ctx, &code, &err);
	bool ok;

	perr_clear(&err);
	if (r == 0 || r == -ENOENT) {
		container_exited(p, r == 0 ? code : -1, now);
		return p->next_restart - now;
	}
	if (r == 1) {
		ok = p->ops->health(p->ctx, LOCAL_URL, false, &err) == 0;
		perr_clear(&err);
		if (ok) {
			p->fails = 0;
			if (p->phase != PROV_HEALTHY)
				became_healthy(p, now);
			if (now >= p->next_members) {
				prov_members_refresh(p, LOCAL_URL);
				p->next_members = now + MEMBERS_EVERY_SECS;
				set_stage(p, "etcd healthy", "%zu members", p->nmembers);
			}
		} else if (++p->fails >= UNHEALTHY_AFTER && p->phase == PROV_HEALTHY) {
			became_unhealthy(p, now);
		}
		role_tick(p, now);
		if (p->phase != PROV_HEALTHY)
			report_peers(p, now);
	}
	return !p->ever_healthy && now < p->started_at + FIRST_TICKS_FOR_SECS ? FIRST_TICK_SECS : TICK_SECS;
}

/* --- the step ------------------------------------------------------------ */

double prov_step(struct prov *p)
{
	double now = now_of(p), next;

	switch (p->phase) {
	case PROV_WAIT_DOCKER:
		next = ph_wait_docker(p, now);
		break;
	case PROV_START_ETCD:
		next = ph_start_etcd(p, now);
		break;
	case PROV_WAIT_HEALTHY:
	case PROV_HEALTHY:
	case PROV_UNHEALTHY:
		next = ph_running(p, now);
		break;
	case PROV_RESTART_BACKOFF:
	case PROV_RESTORE_REFUSED:
		next = ph_backoff(p, now);
		break;
	default:
		return 3600;
	}
	/* a snapshot runs beside every phase: reaped (or killed at its
	 * deadline) whatever etcd does meanwhile */
	snapshot_tick(p, now);
	if (p->snap_running && next > TICK_SECS)
		next = TICK_SECS;
	return next < 0 ? 0 : next;
}

void prov_stop(struct prov *p)
{
	struct perr err = PERR_INIT;

	if (p->snap_running) {
		p->ops->snap_kill(p->ctx, false);
		p->snap_running = false;
		console_line("etcd snapshot not finished: the node is shutting down");
	}
	p->ops->mark(p->ctx, ETCD_HEALTHY, false);
	if (p->phase != PROV_WAIT_DOCKER && p->phase != PROV_FAILED && p->ops->container_stop(p->ctx, &err) < 0 &&
	    err.code != -ENOENT)
		console_line("etcd: stop: %s; System Docker stops it as it shuts down", err.msg);
	perr_clear(&err);
	set_stage(p, "stopped", NULL);
	p->phase = PROV_STOPPED;
}

void prov_free(struct prov *p)
{
	prov_members_free(p);
	free(p->detail);
	free(p->refused);
	p->detail = p->refused = NULL;
}
