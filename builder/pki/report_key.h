/* report_key: each node's key for its boot-stage reports to `paddock
 * serve` (initrd/report_send.h): 32 random bytes, written as 64 hex digits
 * and a newline.  It is kept in the state file as the node's slot
 * PKI_SLOT_REPORT_KEY, beside its other secrets, so a rebuild gives the
 * same layer and a node removed from the cluster file loses it
 * (pki_forget_nodes); rotation keeps it, as it keeps the SSH host keys.
 *
 * The node reads it at REPORT_KEY_FILE (0400, root) in its layer; the
 * server at OUT/<node>/report.key (0600), never under the served tftp/
 * and ipxe/ trees. */
#ifndef PADDOCK_PKI_REPORT_KEY_H
#define PADDOCK_PKI_REPORT_KEY_H

#include <stddef.h>

#include "perr.h"
#include "pki/appl_files.h"
#include "pki/state.h"
#include "plan/plan.h"

#define PKI_SLOT_REPORT_KEY "report.key"
#define REPORT_KEY_FILE "/etc/paddock/report.key"
#define REPORT_KEY_MODE 0400

/* The node's key text, made and stored when it has none; borrowed, valid
 * until the slot changes. */
int pki_node_report_key(struct pki_state *st, const char *node, const char **ret, struct perr *err);
/* Adds node i's REPORT_KEY_FILE to out. */
int report_key_node_file(struct pki_state *st, const struct plan *p, size_t i, struct appl_files *out,
			 struct perr *err);

#endif
