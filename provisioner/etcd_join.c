#include "etcd_join.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "join_plan.h"
#include "peer_probe.h"

/* a member's answer on a loaded TCG guest; a member not serving yet (no
 * quorum) holds the connection until then, so not much longer */
#define ASK_MS 2500
#define CONNECT_MS 500

static const char *self_url(const struct etcd_conf *c)
{
	const char *u = etcd_flag(&c->sc, "initial-advertise-peer-urls");
	return u ? u : "";
}

/* The client URL of the next peer from *k on that is not this node and
 * accepts a connection; NULL after the last. */
static const char *next_peer(const struct etcd_conf *c, size_t *k)
{
	while (*k < c->npeers) {
		const struct etcd_peer *pe = &c->peers[(*k)++];
		if (strcmp(pe->name, c->name) && peer_reachable(pe->client_url, CONNECT_MS))
			return pe->client_url;
	}
	return NULL;
}

/* The membership as the first other peer that answers sees it. */
static int ask_members(struct etcd_client *cl, const struct etcd_conf *c, struct etcd_member **ret, size_t *ret_n,
		       struct perr *err)
{
	struct etcd_client quick = etcd_client_like(cl, ASK_MS);
	const char *url;
	int r = -ENOENT;

	for (size_t k = 0; r < 0 && (url = next_peer(c, &k));) {
		perr_clear(err);
		r = etcd_member_list(&quick, url, ret, ret_n, err);
	}
	etcd_client_close(&quick);
	if (r < 0) {
		perr_clear(err);
		return perr_set(err, -ENOENT, "no other etcd member answered");
	}
	return 0;
}

static int start_as_added(struct etcd_conf *c, const struct etcd_member *m, size_t n, struct perr *err)
{
	char *ic = join_initial_cluster(m, n, c->name, self_url(c));
	int r = 0;

	if (!ic || etcd_flag_set(&c->sc, "initial-cluster", ic) < 0 ||
	    etcd_flag_set(&c->sc, "initial-cluster-state", "existing") < 0)
		r = perr_set(err, -ENOMEM, "out of memory");
	free(ic);
	return r;
}

int etcd_join_prepare(struct etcd_client *cl, struct etcd_conf *c, bool *ret_joined, uint64_t *ret_learner,
		      struct perr *err)
{
	struct etcd_member *m = NULL, *added = NULL;
	size_t n = 0, nadded = 0, i = 0;
	uint64_t id = 0;
	const char *url;
	int r;

	*ret_joined = false;
	*ret_learner = 0;
	if (ask_members(cl, c, &m, &n, err) < 0) {
		perr_clear(err);
		return 0;
	}
	switch (join_decide(m, n, self_url(c), &i)) {
	case JOIN_START_ADDED:
		console_line("etcd: member %016llx (%s) was added for this node and never started: starting it",
			     (unsigned long long)m[i].id, m[i].learner ? "learner" : "voter");
		*ret_learner = m[i].learner ? m[i].id : 0;
		r = start_as_added(c, m, n, err);
		break;
	case JOIN_WAIT:
		r = perr_set(err, -EAGAIN, "member %016llx (%s) is a learner still: joins go one at a time",
			     (unsigned long long)m[i].id, m[i].peer_url);
		break;
	case JOIN_CONFLICT:
		r = perr_set(err, -EEXIST, "member %016llx (%s) has this node's peer URL %s but this disk holds no "
			     "etcd data: remove it (etcdctl member remove) to let this node join again",
			     (unsigned long long)m[i].id, m[i].name, self_url(c));
		break;
	default:
		r = perr_set(err, -ENOENT, "no other etcd member to ask");
		for (size_t k = 0; r < 0 && (url = next_peer(c, &k));) {
			perr_clear(err);
			r = etcd_member_add(cl, url, self_url(c), true, &id, &added, &nadded, err);
		}
		if (r < 0)
			r = perr_wrap(err, "adding %s as a learner", c->name);
		else {
			console_line("etcd: added to the running cluster as learner %016llx", (unsigned long long)id);
			*ret_learner = id;
			r = start_as_added(c, added, nadded, err);
		}
		break;
	}
	*ret_joined = r == 0;
	etcd_members_free(m, n);
	etcd_members_free(added, nadded);
	return r;
}

int etcd_join_self(struct etcd_client *cl, const struct etcd_conf *c, bool *ret_member, uint64_t *ret_learner,
		   struct perr *err)
{
	struct etcd_member *m = NULL;
	size_t n = 0, i;
	int r = ask_members(cl, c, &m, &n, err);

	*ret_member = false;
	*ret_learner = 0;
	if (r < 0)
		return r;
	i = join_find(m, n, self_url(c));
	*ret_member = i < n;
	if (i < n && m[i].learner)
		*ret_learner = m[i].id;
	etcd_members_free(m, n);
	return 0;
}

int etcd_join_promote(struct etcd_client *cl, const struct etcd_conf *c, uint64_t id, struct perr *err)
{
	const char *url;
	int r = perr_set(err, -ENOENT, "no other etcd member to ask");

	for (size_t k = 0; r < 0 && (url = next_peer(c, &k));) {
		perr_clear(err);
		r = etcd_member_promote(cl, url, id, err);
	}
	return r;
}
