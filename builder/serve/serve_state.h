/* serve_state: what the threads of paddock serve share — the output it
 * serves, the fleet table, the report book, --once marks — and the one
 * place events are printed (a redrawn table on a terminal, a line per
 * event otherwise, JSON with --json) and the state file is written. */
#ifndef PADDOCK_SERVE_STATE_H
#define PADDOCK_SERVE_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "serve/fleet.h"
#include "serve/preflight.h"
#include "serve/report.h"
#include "serve/serve_out.h"

enum serve_output { SERVE_LINES, SERVE_TABLE, SERVE_JSON };

struct serve_state {
	struct serve_out out;
	struct iface_addr addr;
	const char *iface;
	bool dhcp, proxy, once;
	int port;
	enum serve_output output;
	char *run_dir;          /* dnsmasq's config, TFTP root and leases (removed at exit) */
	char *tftp_dir, *conf_path, *lease_path, *status_path;
	char base_url[48];      /* "http://IP:PORT/" */
	char report_url[64];
	char *boot_script;
	char **node_scripts;    /* per node; NULL for a node without a MAC */
	pthread_mutex_t lock;   /* everything below */
	struct fleet fleet;
	struct report_book book;
	bool *once_used;        /* per node */
};

long long serve_now_ms(void);
/* Applies e to the table, prints it, writes the state file. */
void serve_emit(struct serve_state *s, const struct fleet_event *e);
/* A line on stderr: "paddock serve: HH:MM:SS ..." */
void serve_log(struct serve_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Redraws the table on a terminal (SERVE_TABLE); nothing otherwise. */
void serve_redraw(struct serve_state *s);
/* The node row of the MAC the neighbour table gives for ip (FLEET_NO_ROW
 * when none); mac gets that MAC or "". */
size_t serve_row_for_peer(struct serve_state *s, const char *ip, char mac[MAC_STR_LEN]);
size_t serve_row_for_mac(struct serve_state *s, const char *mac);

#endif
