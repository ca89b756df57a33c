/* etcd_conf: the node's etcd container as the builder wrote it
 * (CONTAINERS_DIR/NN-etcd.conf, svcconf.h) and what the provisioner reads
 * from its flags: its name, its peers, where its data and certificates
 * are on the node, and the uid:gid it runs as. */
#ifndef PADDOCK_PROV_ETCD_CONF_H
#define PADDOCK_PROV_ETCD_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"
#include "svcconf.h"

struct etcd_peer {
	char *name;             /* etcd member name, "etcd-node1" */
	char *peer_url;         /* "https://10.10.0.11:2380" */
	char *client_url;       /* the same host on 2379 */
};

struct etcd_conf {
	struct svcconf sc;
	char *name;             /* --name */
	char *data_dir;         /* the node's folder bound on --data-dir */
	char *ca, *cert, *key;  /* the node's paths of the client TLS files */
	unsigned uid, gid;
	bool has_user;          /* user was "uid:gid" */
	struct etcd_peer *peers; /* --initial-cluster, in its order */
	size_t npeers;
};

/* Loads the conf named etcd from dir; -ENOENT when the node has none
 * (not an etcd node). */
int etcd_conf_find(const char *dir, struct etcd_conf *out, struct perr *err);
/* Reads an already loaded svcconf (moved into out). */
int etcd_conf_from(struct svcconf *sc, struct etcd_conf *out, struct perr *err);
void etcd_conf_free(struct etcd_conf *c);

/* The value of --NAME=VALUE in the command, or NULL. */
const char *etcd_flag(const struct svcconf *sc, const char *name);
/* Sets --NAME=VALUE (replacing it, or appending). */
int etcd_flag_set(struct svcconf *sc, const char *name, const char *value);

/* "a=https://h:2380,b=..." into peers. */
int etcd_peers_parse(const char *initial_cluster, struct etcd_peer **ret, size_t *ret_n, struct perr *err);
void etcd_peers_free(struct etcd_peer *v, size_t n);

/* The node's path of a container path through the binds ("SRC:DST[:opts]",
 * trailing '/' ignored; a path below a bound folder maps too); NULL when
 * no bind holds it. */
char *etcd_host_path(const struct svcconf *sc, const char *container_path);

#endif
