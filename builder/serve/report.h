/* report: the stage reports nodes POST to `paddock serve` (/report).
 *
 * Body (text/plain, one event, at most REPORT_MAX_BODY bytes):
 *   node=NAME boot=BOOTID seq=N t=MILLISECONDS stage=STAGE[ detail=PCT]\n
 * BOOTID is the node's /proc/sys/kernel/random/boot_id, t the milliseconds
 * since its boot, STAGE one of report_stages, PCT percent-encoded text.
 * Header X-Paddock-Signature: sha256=HEX, the HMAC-SHA256 of the exact body
 * under the node's key (OUT/<node>/report.key: 64 hex digits).
 * Answers: 204 accepted, 400 malformed, 401 unknown node or bad signature,
 * 409 a seq not above the last one seen for that node and boot. */
#ifndef PADDOCK_SERVE_REPORT_H
#define PADDOCK_SERVE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"

#define REPORT_MAX_BODY 4096
#define REPORT_KEY_LEN 32
#define REPORT_SIG_HEADER "X-Paddock-Signature"

extern const char *const report_stages[]; /* NULL-terminated, boot order */

struct report {
	char node[64];
	char boot[65];
	unsigned long long seq, t;
	const char *stage;      /* one of report_stages */
	char *detail;           /* decoded, control characters as '?'; NULL if none */
};

/* Parses body[0..len) into *r (report_clear frees it); *err says what is wrong. */
int report_parse(const char *body, size_t len, struct report *r, struct perr *err);
void report_clear(struct report *r);

/* 0 when header is "sha256=" and the HMAC-SHA256 of body under key in hex. */
int report_verify(const char *body, size_t len, const char *header, const unsigned char key[REPORT_KEY_LEN]);
/* The header value for body (for tests and the node's sender): "sha256=HEX". */
int report_sign_header(const char *body, size_t len, const unsigned char key[REPORT_KEY_LEN], char out[72]);

/* Reads a key file: 64 hex digits, optionally followed by a newline. */
int report_key_load(const char *path, unsigned char key[REPORT_KEY_LEN], struct perr *err);

/* The last seq seen per node and boot. */
struct report_book {
	struct report_seen { char node[64], boot[65]; unsigned long long seq; } *v;
	size_t n, cap;
};
/* 0 and records seq when it is above the last one for (node, boot), else -EALREADY. */
int report_book_take(struct report_book *b, const struct report *r);
void report_book_free(struct report_book *b);

/* A node that may report: its name and key (has_key false: none on disk). */
struct report_node {
	const char *name;
	bool has_key;
	unsigned char key[REPORT_KEY_LEN];
};
/* The whole check of one POST: parse, known node, signature, replay.  The
 * HTTP status (204, 400, 401, 409); *err says why when not 204; on 204 *r
 * holds the report and *node_index its node. */
int report_accept(struct report_book *b, const struct report_node *nodes, size_t n_nodes, const char *body,
		  size_t len, const char *header, struct report *r, size_t *node_index, struct perr *err);

#endif
