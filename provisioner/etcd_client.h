/* etcd_client: etcd 3.4's v3 JSON API (its gRPC gateway) and /health over
 * TLS with a client certificate, through libcurl.
 *
 * Member IDs are uint64; the gateway writes them as decimal strings. */
#ifndef PADDOCK_PROV_ETCD_CLIENT_H
#define PADDOCK_PROV_ETCD_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perr.h"

struct etcd_client {
	const char *ca, *cert, *key;    /* PEM files */
	long timeout_ms;
	void *handle;           /* libcurl's, kept so that connections are reused */
	/* a signal handler's flag: once set, requests end at once (NULL: never) */
	const volatile sig_atomic_t *cancel;
};

/* Ends the kept connections. */
void etcd_client_close(struct etcd_client *c);

/* A client of c's files and cancel flag with a timeout of its own and no
 * connections yet (etcd_client_close it after use). */
struct etcd_client etcd_client_like(const struct etcd_client *c, long timeout_ms);

struct etcd_member {
	uint64_t id;
	char *name;             /* "" for a member added but never started */
	char *peer_url;         /* the first peer URL */
	char *client_url;       /* the first client URL; "" before it started */
	bool learner;
};

/* GET URL/health: 0 when etcd says {"health":"true"}. */
int etcd_health(struct etcd_client *c, const char *url, struct perr *err);

/* POST /v3/cluster/member/list. */
int etcd_member_list(struct etcd_client *c, const char *url, struct etcd_member **ret, size_t *ret_n,
		     struct perr *err);
void etcd_members_free(struct etcd_member *v, size_t n);

/* POST /v3/maintenance/status: the answering member's ID and its leader's. */
int etcd_status(struct etcd_client *c, const char *url, uint64_t *ret_id, uint64_t *ret_leader,
		struct perr *err);

/* POST /v3/cluster/member/add of peer_url (a learner when learner): the
 * new member's ID and the membership with it. */
int etcd_member_add(struct etcd_client *c, const char *url, const char *peer_url, bool learner, uint64_t *ret_id,
		    struct etcd_member **ret, size_t *ret_n, struct perr *err);

/* POST /v3/cluster/member/promote: the learner id becomes a voter; etcd
 * refuses until it has caught up with the leader. */
int etcd_member_promote(struct etcd_client *c, const char *url, uint64_t id, struct perr *err);

/* Parses the answers (unit tests). */
int etcd_parse_members(const char *body, size_t len, struct etcd_member **ret, size_t *ret_n, struct perr *err);
int etcd_parse_member_add(const char *body, size_t len, uint64_t *ret_id, struct etcd_member **ret, size_t *ret_n,
			  struct perr *err);
int etcd_parse_status(const char *body, size_t len, uint64_t *ret_id, uint64_t *ret_leader, struct perr *err);

#endif
