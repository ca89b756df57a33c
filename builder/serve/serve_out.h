/* serve_out: what paddock serve takes from a built OUT: the paddock
 * version that wrote it and its nodes (manifest.json), each node's MAC and
 * planned address (its layer's /etc/paddock/node.conf), its report key
 * (OUT/<node>/report.key) and the iPXE tree (OUT/ipxe) it serves. */
#ifndef PADDOCK_SERVE_OUT_H
#define PADDOCK_SERVE_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"
#include "serve/neigh.h"
#include "serve/report.h"

struct serve_node {
	char *name;
	char mac[MAC_STR_LEN];  /* "" when the node has no paddock.mac */
	char ip[16];            /* planned IPv4 address, "" when none */
	char *script;           /* OUT/ipxe/<mac-hyphens>.ipxe's text, NULL when none */
	struct report_node report;
};

struct serve_out {
	char *dir;
	char *version;          /* manifest.json's "paddock" */
	struct serve_node *nodes;
	size_t n;
};

/* Reads manifest.json only: the version and the node names. */
int serve_out_manifest(const char *dir, struct serve_out *o, struct perr *err);
/* Then the rest: node configurations, keys, scripts. */
int serve_out_nodes(struct serve_out *o, struct perr *err);
void serve_out_free(struct serve_out *o);

/* The node with this MAC (any case), or NULL. */
const struct serve_node *serve_out_by_mac(const struct serve_out *o, const char *mac);
/* "52-54-00-00-02-01" into mac ("52:54:00:00:02:01"); -EINVAL if not one. */
int mac_from_hyphens(const char *s, size_t len, char mac[MAC_STR_LEN]);

#endif
