/* report_send: one boot stage to the server, as `paddock serve` takes it.
 *
 * One POST per event to the paddock.report URL, Content-Type text/plain,
 * the body one line:
 *
 *   node=NAME boot=BOOTID seq=N t=MS stage=STAGE[ detail=PCT]\n
 *
 * (the queue line, report_queue.h, after node, boot and seq), signed in
 * X-Paddock-Signature: sha256=HEX, HEX the HMAC-SHA256 of the body's exact
 * bytes with the node's 32-byte key (/etc/paddock/report.key: 64 hex
 * digits and a newline).  The server answers 204, or 400, 401 (bad
 * signature), 409 (a seq it had).  libcurl and libcrypto: not for PID 1. */
#ifndef PADDOCK_INIT_REPORT_SEND_H
#define PADDOCK_INIT_REPORT_SEND_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"

#define REPORT_KEY_PATH "/etc/paddock/report.key"
#define REPORT_KEY_LEN 32
#define REPORT_SIG_HEADER "X-Paddock-Signature"

/* The key from its file's text: 64 hex digits, then at most a newline. */
int report_key_parse(const char *text, size_t len, unsigned char key[REPORT_KEY_LEN], struct perr *err);
/* A node name or boot id fit for the body: 1..253 of A-Z a-z 0-9 . _ - */
bool report_word_ok(const char *s);
/* The body for a queue line (with its newline); NULL when out of memory. */
char *report_body(const char *node, const char *boot_id, unsigned long seq, const char *line, size_t len);
/* hex: the HMAC-SHA256 of body with key, in lower-case hex. */
int report_sign_hex(const unsigned char *key, size_t keylen, const char *body, size_t len, char hex[65],
		struct perr *err);
/* Whether url is one to report to: http://, no blanks or control
 * characters (it comes from the kernel command line). */
bool report_url_ok(const char *url);

enum report_verdict {
	REPORT_DELIVERED,       /* 2xx */
	REPORT_RETRY,           /* no answer, or 5xx and the like: later again */
	REPORT_BAD_REQUEST,     /* 400: this event never goes through */
	REPORT_BAD_KEY,         /* 401: none will */
	REPORT_REPLAYED,        /* 409: the server has this seq already */
};
enum report_verdict report_verdict_of(bool answered, long status);

/* POSTs body, signed with key, to url; *status the HTTP status (0: no
 * answer, then err says why).  Waits at most timeout_s. */
int report_post(const char *url, const char *body, const unsigned char *key, size_t keylen, double timeout_s,
		long *status, struct perr *err);

#endif
