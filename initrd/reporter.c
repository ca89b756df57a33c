/* paddock-report: sends the node's boot stages to the `paddock serve` it
 * booted from (report_queue.h, report_send.h).
 *
 * init starts it once the network stage is done, when the kernel command
 * line has paddock.report=URL; it reads the queue the three stage writers
 * append to and POSTs each line in order, with a back-off between tries
 * (1 s doubling to 30 s), giving an event up after --tries of them.  A
 * refusal ends no boot: 401 (the server does not take this node's key)
 * says so on the console once and ends the reports; 400 and 409 drop that
 * event with one line.  Where it got to is kept in REPORT_POS, so a run
 * after a crash goes on from there with the next seq.
 *
 * The options point it elsewhere for tests: --cmdline FILE, --node-conf
 * FILE, --key FILE, --boot-id FILE, --queue FILE, --pos FILE, --tries N,
 * --backoff SECS, --drain (exit once the queue is sent). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "console.h"
#include "fsutil.h"
#include "kcmdline.h"
#include "nodecfg.h"
#include "report_queue.h"
#include "report_send.h"

#define REPORT_POS "/run/paddock/report.pos"
#define BOOT_ID "/proc/sys/kernel/random/boot_id"
#define BACKOFF_MAX 30.0
#define POST_TIMEOUT 10.0

struct reporter {
	const char *queue, *pos_path;
	char *url, *node, *boot_id;
	unsigned char key[REPORT_KEY_LEN];
	unsigned tries;
	double backoff;
	bool drain;
	off_t offset;           /* of the next line to send */
	unsigned long seq;      /* of the last one sent */
	bool said_bad, said_replayed, said_unreachable;
};

/* The first line of a small file (heap, newline dropped), or NULL. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static int load_key(const char *path, unsigned char key[REPORT_KEY_LEN], struct perr *err)
{
	char buf[2 * REPORT_KEY_LEN + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;
	ssize_t n;

	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	r = report_key_parse(buf, (size_t)n, key, err);
	OPENSSL_cleanse(buf, sizeof(buf));
	return r < 0 ? perr_wrap(err, "%s", path) : 0;
}

/* Where an earlier run got to: "OFFSET SEQ". */
static void load_pos(struct reporter *rp)
{
	char *line = first_line(rp->pos_path);
	long long off;
	unsigned long seq;

	if (line && sscanf(line, "%lld %lu", &off, &seq) == 2 && off >= 0) {
		rp->offset = (off_t)off;
		rp->seq = seq;
	}
	free(line);
}

static void save_pos(const struct reporter *rp)
{
	struct perr err = PERR_INIT;
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%lld %lu\n", (long long)rp->offset, rp->seq);

	if (write_file(rp->pos_path, buf, (size_t)n, 0600, &err) < 0)
		console_line("report: %s", err.msg ? err.msg : "?");
	perr_clear(&err);
}

struct one {
	char *line;
	size_t len;
};

/* Takes the first line the queue gives, and stops before the next. */
static bool take_one(void *ctx, const char *line, size_t len)
{
	struct one *o = ctx;
	if (o->line)
		return false;
	o->line = strndup(line, len);
	o->len = len;
	return o->line != NULL;
}

/* The stage's name in a queue line, for the console. */
static const char *stage_in(const char *line, char *buf, size_t size)
{
	const char *s = strstr(line, " stage=");
	size_t n = s ? strcspn(s + 7, " \n") : 0;
	snprintf(buf, size, "%.*s", (int)n, s ? s + 7 : "?");
	return buf;
}

/* Sends one line until it is delivered, refused or given up; false when
 * no more reports are to be sent. */
static bool send_line(struct reporter *rp, const char *line, size_t len)
{
	char stage[32];
	char *body = report_body(rp->node, rp->boot_id, rp->seq + 1, line, len);
	double wait = rp->backoff;
	bool go_on = true;

	stage_in(line, stage, sizeof(stage));
	for (unsigned try = 1; body; try++) {
		struct perr err = PERR_INIT;
		long status = 0;
		bool answered = report_post(rp->url, body, rp->key, sizeof(rp->key), POST_TIMEOUT, &status, &err) == 0;
		enum report_verdict v = report_verdict_of(answered, status);
		if (v == REPORT_RETRY && try < rp->tries) {
			perr_clear(&err);
			sleep_s(wait);
			wait = wait * 2 > BACKOFF_MAX ? BACKOFF_MAX : wait * 2;
			continue;
		}
		if (v == REPORT_RETRY && !rp->said_unreachable) {
			rp->said_unreachable = true;
			console_line("report: %s: %s after %u tries; stage %s not reported (later ones are tried)",
				     rp->url, answered ? "the server answers with an error" : err.msg ? err.msg : "?",
				     try, stage);
		} else if (v == REPORT_BAD_KEY) {
			console_line("report: %s refused stage %s: HTTP 401, the server does not take this node's "
				     "key; no more reports this boot", rp->url, stage);
			go_on = false;
		} else if ((v == REPORT_BAD_REQUEST && !rp->said_bad) || (v == REPORT_REPLAYED && !rp->said_replayed)) {
			console_line("report: %s refused stage %s (seq %lu): HTTP %ld; not sent again", rp->url, stage,
				     rp->seq + 1, status);
			*(v == REPORT_BAD_REQUEST ? &rp->said_bad : &rp->said_replayed) = true;
		}
		perr_clear(&err);
		break;
	}
	free(body);
	rp->seq++;
	rp->offset += (off_t)len;
	save_pos(rp);
	return go_on;
}

static int run(struct reporter *rp)
{
	int fd = -1;

	load_pos(rp);
	for (;;) {
		struct one o = { 0 };
		size_t skipped = 0;
		off_t at = rp->offset;
		int n;

		if (fd < 0 && (fd = open(rp->queue, O_RDONLY | O_CLOEXEC)) < 0 && errno != ENOENT) {
			console_line("report: %s: %s", rp->queue, strerror(errno));
			return 1;
		}
		n = fd < 0 ? 0 : report_queue_read(fd, &at, take_one, &o, &skipped);
		if (n < 0) {
			console_line("report: %s: %s", rp->queue, strerror(-n));
			close(fd);
			return 1;
		}
		if (skipped) {
			/* malformed lines before the next good one: past them */
			rp->offset = at - (off_t)(o.line ? o.len : 0);
			save_pos(rp);
		}
		if (!o.line) {
			if (rp->drain)
				break;
			sleep_s(0.5);
			continue;
		}
		bool go_on = send_line(rp, o.line, o.len);
		free(o.line);
		if (!go_on)
			break;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* The URL, node name, boot id and key; false (said once) when reports
 * cannot be sent. */
static bool configure(struct reporter *rp, const char *cmdline, const char *node_conf, const char *key_path,
		      const char *boot_id)
{
	struct perr err = PERR_INIT;
	struct nodecfg cfg = { 0 };

	rp->url = kcmdline_get_from(cmdline, "paddock.report");
	if (!rp->url)
		return false; /* not asked for: nothing to say */
	if (!report_url_ok(rp->url)) {
		console_line("report: paddock.report=%s: not an http:// URL; no reports", rp->url);
		return false;
	}
	if (nodecfg_load(node_conf, &cfg, &err) == 0 && nodecfg_get(&cfg, "node.name"))
		rp->node = strdup(nodecfg_get(&cfg, "node.name"));
	else
		rp->node = kcmdline_get_from(cmdline, "paddock.node");
	nodecfg_free(&cfg);
	perr_clear(&err);
	rp->boot_id = first_line(boot_id);
	if (!report_word_ok(rp->node) || !report_word_ok(rp->boot_id)) {
		console_line("report: no usable node name or boot id (%s, %s); no reports", rp->node ? rp->node : "-",
			     rp->boot_id ? rp->boot_id : "-");
		return false;
	}
	if (load_key(key_path, rp->key, &err) < 0) {
		console_line("report: %s; no reports", err.msg ? err.msg : "?");
		perr_clear(&err);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cmdline", required_argument, NULL, 'c' }, { "node-conf", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },     { "boot-id", required_argument, NULL, 'b' },
		{ "queue", required_argument, NULL, 'q' },   { "pos", required_argument, NULL, 'p' },
		{ "tries", required_argument, NULL, 't' },   { "backoff", required_argument, NULL, 'w' },
		{ "drain", no_argument, NULL, 'd' },         { NULL, 0, NULL, 0 },
	};
	const char *cmdline = KCMDLINE_PATH, *node_conf = NODECFG_PATH, *key = REPORT_KEY_PATH, *boot_id = BOOT_ID;
	struct reporter rp = { .queue = REPORT_QUEUE, .pos_path = REPORT_POS, .tries = 8, .backoff = 1.0 };
	int c, r = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cmdline = optarg; break;
		case 'n': node_conf = optarg; break;
		case 'k': key = optarg; break;
		case 'b': boot_id = optarg; break;
		case 'q': rp.queue = optarg; break;
		case 'p': rp.pos_path = optarg; break;
		case 't': rp.tries = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': rp.backoff = strtod(optarg, NULL); break;
		case 'd': rp.drain = true; break;
		default:
			fprintf(stderr, "usage: paddock-report [--cmdline FILE] [--node-conf FILE] [--key FILE] "
					"[--boot-id FILE] [--queue FILE] [--pos FILE] [--tries N] [--backoff SECS] "
					"[--drain]\n");
			return 2;
		}
	}
	if (!rp.tries)
		rp.tries = 1;
	signal(SIGPIPE, SIG_IGN);
	if (configure(&rp, cmdline, node_conf, key, boot_id)) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			console_line("report: libcurl did not start; no reports");
			r = 1;
		} else {
			r = run(&rp);
			curl_global_cleanup();
		}
	}
	OPENSSL_cleanse(rp.key, sizeof(rp.key));
	free(rp.url);
	free(rp.node);
	free(rp.boot_id);
	return r;
}
