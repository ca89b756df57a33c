#include "prov_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "disk_full.h"
#include "etcd_container.h"
#include "etcd_join.h"
#include "etcd_restore.h"
#include "fsutil.h"
#include "peer_probe.h"
#include "provision.h"

/* etcd's stop at shutdown: its grace, and how long Docker may take to
 * answer beyond it */
#define ETCD_STOP_GRACE_SECS 10
#define ETCD_STOP_ANSWER_SECS 5
#define PING_SECS 5
#define DOCKER_SECS 120
#define PEER_PROBE_MS 1000
#define QUICK_MS 5000

static double sys_now(void *ctx)
{
	(void)ctx;
	return boot_seconds();
}

static time_t sys_wall(void *ctx)
{
	(void)ctx;
	return time(NULL);
}

static int sys_docker_ping(void *ctx, struct perr *err)
{
	struct prov_sys *s = ctx;
	int r;

	docker_set_timeout(s->d, PING_SECS);
	r = docker_ping(s->d, err);
	docker_set_timeout(s->d, DOCKER_SECS);
	return r;
}

static int sys_image_ensure(void *ctx, const char *image, struct perr *err)
{
	return etcd_image_ensure(((struct prov_sys *)ctx)->d, image, err);
}

static int sys_data_prepare(void *ctx, const struct etcd_conf *ec, bool *ret_has_data, struct perr *err)
{
	(void)ctx;
	return etcd_data_prepare(ec, ret_has_data, err);
}

static int sys_restore(void *ctx, const struct etcd_conf *ec, const char *snapshot, bool *ret_done,
		       struct perr *err)
{
	return etcd_restore(((struct prov_sys *)ctx)->d, ec, snapshot, ret_done, err);
}

static int sys_wipe_member(void *ctx, const struct etcd_conf *ec, struct perr *err)
{
	char *dir = path_join(ec->data_dir, "member");
	int r;

	(void)ctx;
	if (!dir)
		return perr_set(err, -ENOMEM, "out of memory");
	r = rm_rf(dir, err);
	free(dir);
	return r;
}

static int sys_container_run(void *ctx, const struct etcd_conf *ec, struct perr *err)
{
	return etcd_container_run(((struct prov_sys *)ctx)->d, ec, err);
}

static int sys_container_state(void *ctx, int *ret_exit, struct perr *err)
{
	return etcd_container_running(((struct prov_sys *)ctx)->d, ret_exit, err);
}

static int sys_container_stop(void *ctx, struct perr *err)
{
	struct prov_sys *s = ctx;

	if (s->cancel && *s->cancel) {
		/* the shutdown: within /init's 20 s for the provisioner, a
		 * Docker too slow to answer leaves etcd to its own shutdown,
		 * which stops it the same way (SIGTERM, then 10 s) */
		docker_set_cancel(s->d, NULL);
		docker_set_timeout(s->d, ETCD_STOP_ANSWER_SECS);
	}
	return docker_container_stop(s->d, "etcd", ETCD_STOP_GRACE_SECS, err);
}

static int sys_container_logs(void *ctx, unsigned tail, char **ret, struct perr *err)
{
	size_t len = 0;

	return docker_container_logs(((struct prov_sys *)ctx)->d, "etcd", tail, ret, &len, err);
}

static long long sys_free_bytes(void *ctx, const char *dir)
{
	(void)ctx;
	return disk_free_bytes(dir);
}

static int sys_health(void *ctx, const char *url, bool quick, struct perr *err)
{
	struct prov_sys *s = ctx;
	struct etcd_client q;
	int r;

	if (!quick)
		return etcd_health(&s->cl, url, err);
	q = etcd_client_like(&s->cl, QUICK_MS);
	r = etcd_health(&q, url, err);
	etcd_client_close(&q);
	return r;
}

static int sys_members(void *ctx, const char *url, struct etcd_member **ret, size_t *ret_n, struct perr *err)
{
	return etcd_member_list(&((struct prov_sys *)ctx)->cl, url, ret, ret_n, err);
}

static int sys_leader(void *ctx, const char *url, uint64_t *ret_leader, struct perr *err)
{
	uint64_t self = 0;

	return etcd_status(&((struct prov_sys *)ctx)->cl, url, &self, ret_leader, err);
}

static int sys_join_prepare(void *ctx, struct etcd_conf *ec, bool *ret_joined, uint64_t *ret_learner,
			    struct perr *err)
{
	return etcd_join_prepare(&((struct prov_sys *)ctx)->cl, ec, ret_joined, ret_learner, err);
}

static int sys_join_self(void *ctx, const struct etcd_conf *ec, bool *ret_member, uint64_t *ret_learner,
			 struct perr *err)
{
	return etcd_join_self(&((struct prov_sys *)ctx)->cl, ec, ret_member, ret_learner, err);
}

static int sys_join_promote(void *ctx, const struct etcd_conf *ec, uint64_t id, struct perr *err)
{
	return etcd_join_promote(&((struct prov_sys *)ctx)->cl, ec, id, err);
}

static bool sys_peer_reachable(void *ctx, const char *url)
{
	(void)ctx;
	return peer_reachable(url, PEER_PROBE_MS);
}

/* in the child: a Docker connection of its own */
static void snap_child(void *arg, struct snapshot_result *res)
{
	struct prov_sys *s = arg;
	struct perr err = PERR_INIT;
	struct docker *d = NULL;

	if (docker_open(SYSTEM_DOCKER_SOCK, &d, &err) < 0) {
		res->r = -EIO;
		res->free_bytes = -1;
		snprintf(res->msg, sizeof(res->msg), "%s", err.msg ? err.msg : "?");
		perr_clear(&err);
		return;
	}
	docker_set_timeout(d, DOCKER_SECS);
	snapshot_take(d, s->snap_ec, s->snap_node, s->snap_now, res);
	docker_close(d);
}

static int sys_snap_start(void *ctx, const struct etcd_conf *ec, const char *node, time_t now, struct perr *err)
{
	struct prov_sys *s = ctx;

	s->snap_ec = ec;
	s->snap_node = node;
	s->snap_now = now;
	return snapshot_job_start(&s->job, snap_child, s, err);
}

static int sys_snap_poll(void *ctx, struct snapshot_result *res)
{
	return snapshot_job_poll(&((struct prov_sys *)ctx)->job, res);
}

/* the child killed, then its container (etcdctl may still write) */
static void sys_snap_kill(void *ctx, bool remove_container)
{
	struct prov_sys *s = ctx;
	struct perr err = PERR_INIT;

	snapshot_job_kill(&s->job);
	if (!remove_container)
		return;
	docker_set_cancel(s->d, NULL);
	docker_set_timeout(s->d, ETCD_STOP_ANSWER_SECS);
	if (docker_container_remove(s->d, SNAPSHOT_CONTAINER, true, &err) < 0 && err.code != -ENOENT)
		console_line("etcd snapshot: removing its container: %s", err.msg);
	perr_clear(&err);
	docker_set_timeout(s->d, DOCKER_SECS);
	if (!(s->cancel && *s->cancel))
		docker_set_cancel(s->d, s->cancel);
}

static void sys_mark(void *ctx, const char *path, bool on)
{
	struct perr err = PERR_INIT;

	(void)ctx;
	if (!on)
		unlink(path);
	else if (access(path, F_OK) < 0)
		write_file(path, "", 0, 0644, &err);
	perr_clear(&err);
}

static void sys_status(void *ctx, const struct prov_status *st)
{
	struct perr err = PERR_INIT;

	(void)ctx;
	if (prov_status_write(PROVISIONER_STATUS, st, &err) < 0)
		console_line("provisioner: status: %s", err.msg);
	perr_clear(&err);
}

const struct prov_ops prov_sys_ops = {
	.now = sys_now,
	.wall = sys_wall,
	.docker_ping = sys_docker_ping,
	.image_ensure = sys_image_ensure,
	.data_prepare = sys_data_prepare,
	.restore = sys_restore,
	.wipe_member = sys_wipe_member,
	.container_run = sys_container_run,
	.container_state = sys_container_state,
	.container_stop = sys_container_stop,
	.container_logs = sys_container_logs,
	.free_bytes = sys_free_bytes,
	.health = sys_health,
	.members = sys_members,
	.leader = sys_leader,
	.join_prepare = sys_join_prepare,
	.join_self = sys_join_self,
	.join_promote = sys_join_promote,
	.peer_reachable = sys_peer_reachable,
	.snap_start = sys_snap_start,
	.snap_poll = sys_snap_poll,
	.snap_kill = sys_snap_kill,
	.mark = sys_mark,
	.status = sys_status,
};

int prov_sys_open(struct prov_sys *s, const struct etcd_conf *ec, const volatile sig_atomic_t *cancel,
		  struct perr *err)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->job.fd = -1;
	s->cancel = cancel;
	/* generous: a TLS handshake and a quorum read on a loaded machine */
	s->cl = (struct etcd_client){ ec->ca, ec->cert, ec->key, 8000, NULL, cancel };
	if ((r = docker_open(SYSTEM_DOCKER_SOCK, &s->d, err)) < 0)
		return r;
	/* asked to stop, the provisioner leaves any request at once */
	docker_set_cancel(s->d, cancel);
	docker_set_timeout(s->d, DOCKER_SECS);
	return 0;
}

void prov_sys_close(struct prov_sys *s)
{
	snapshot_job_kill(&s->job);
	etcd_client_close(&s->cl);
	docker_close(s->d);
	s->d = NULL;
}
