/* nodecfg: the baked per-node configuration, /etc/paddock/node.conf.
 *
 * The builder writes it into each node layer; init, paddockctl and the
 * provisioner read it.  Format: UTF-8 text, one "key=value" per line, keys
 * may repeat (lists), order is kept.  In values, backslash escapes "\\",
 * "\n" and "\t"; nothing else is special.  Lines starting with '#' and blank
 * lines are ignored.
 *
 * Keys in use (the contract between builder and image):
 *   cluster.name          cluster_name from cluster.yml
 *   node.name             node name (hostname_override, lower-cased)
 *   node.address          address from cluster.yml
 *   node.internal_address internal address
 *   node.role             one line per role: etcd, controlplane, worker
 *   net.mac               MAC of the boot NIC, aa:bb:cc:dd:ee:ff
 *   net.mode              dhcp | static
 *   net.address           static address with prefix, 10.0.0.5/24
 *   net.gateway           static gateway
 *   net.dns               one line per DNS server
 *   boot.state_disk       persistent state: a whole disk (/dev/vda), LABEL=NAME
 *                         (diskspec.h), or empty
 *   boot.debug_shell      "true" to allow a debug shell on failure
 *   boot.cmdline          extra kernel arguments (informational)
 *   etcd.snapshot.interval_secs  etcd nodes with snapshots on: seconds
 *                         between snapshots (backup_config.interval_hours,
 *                         the legacy creation, or paddock.snapshot_interval_secs)
 *   etcd.snapshot.retention  how many snapshots to keep (a count; the
 *                         legacy retention duration divided by creation)
 *   etcd.restore          etcd nodes: restore this snapshot (a file name in
 *                         /opt/rke/etcd-snapshots) once, before etcd starts
 * Later issues add keys; readers ignore keys they do not know. */
#ifndef PADDOCK_NODECFG_H
#define PADDOCK_NODECFG_H

#include <stddef.h>

#include "perr.h"

struct nodecfg_kv {
	char *key;
	char *val;
};

struct nodecfg {
	struct nodecfg_kv *kv;
	size_t n, cap;
};

#define NODECFG_PATH "/etc/paddock/node.conf"

/* Parses buf[0..len); on a malformed line *err names it.  name is used in
 * messages only. */
int nodecfg_parse(const char *name, const char *buf, size_t len, struct nodecfg *out,
		  struct perr *err);

/* Reads and parses a file (bounded to 1 MiB). */
int nodecfg_load(const char *path, struct nodecfg *out, struct perr *err);

/* First value of key, or NULL. */
const char *nodecfg_get(const struct nodecfg *c, const char *key);

/* Iterates the values of key: start with *pos = 0; NULL at the end. */
const char *nodecfg_next(const struct nodecfg *c, const char *key, size_t *pos);

/* Appends key=value (copied).  Keys must match [a-z0-9_.-]+. */
int nodecfg_add(struct nodecfg *c, const char *key, const char *val);

/* Serializes in insertion order into a new heap buffer; *len set. */
char *nodecfg_serialize(const struct nodecfg *c, size_t *len);

void nodecfg_free(struct nodecfg *c);

#endif
