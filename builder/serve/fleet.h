/* fleet: the table paddock serve shows, one row per node of the cluster
 * file: MAC, address, the last stage seen, the time since the node's
 * power-on was seen (its first DHCP, loader or script request after it
 * last reported a stage of its own) and the bytes it fetched since.
 * Stages the server sees: dhcp, loader, script, kernel, base, layer; the
 * node reports the rest (report.h).  The table is kept by one thread;
 * the caller locks. */
#ifndef PADDOCK_SERVE_FLEET_H
#define PADDOCK_SERVE_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"
#include "strbuf.h"

#define FLEET_NO_ROW ((size_t)-1)

struct fleet_row {
	char *name;
	char mac[18];
	char ip[16];
	const char *stage;      /* a stage name (fleet_stage_label), NULL: none yet */
	char *detail;
	long long since_ms;     /* epoch ms of the power-on seen, 0: none */
	long long last_ms;      /* epoch ms of the last event */
	unsigned long long bytes;
};

struct fleet {
	struct fleet_row *rows;
	size_t n;
};

struct fleet_event {
	long long when_ms;
	size_t row;             /* FLEET_NO_ROW: no node (an unknown MAC, a refusal) */
	const char *mac, *ip;   /* may be NULL */
	const char *stage;
	const char *detail;     /* may be NULL */
	unsigned long long bytes;
	bool from_node;         /* reported by the node */
	unsigned long long node_ms; /* from_node: ms since the node's boot */
};

/* Adds a row; the names are copied.  0 or -ENOMEM. */
int fleet_add(struct fleet *f, const char *name, const char *mac, const char *ip);
void fleet_free(struct fleet *f);
/* Applies an event to its row (none for FLEET_NO_ROW). */
void fleet_apply(struct fleet *f, const struct fleet_event *e);
/* "DHCP offered" for "dhcp", …; the name itself when unknown. */
const char *fleet_stage_label(const char *stage);

/* One line: "HH:MM:SS node1 52:54:00:00:02:01 10.10.0.11 kernel ..." */
void fleet_event_line(struct strbuf *sb, const struct fleet *f, const struct fleet_event *e);
/* One JSON object on one line. */
void fleet_event_json(struct strbuf *sb, const struct fleet *f, const struct fleet_event *e);
/* The table at now_ms: header and one line per row. */
void fleet_table(struct strbuf *sb, const struct fleet *f, long long now_ms);

/* The state file (OUT/serve/status.json) and back. */
char *fleet_status_json(const struct fleet *f, long long now_ms);
int fleet_status_parse(const char *buf, size_t len, struct fleet *f, long long *updated_ms, struct perr *err);

#endif
