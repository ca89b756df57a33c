/* The two halves of the stage reports agree: what the node's side
 * (initrd/report_queue.h, report_send.h) writes and signs, the server's
 * side (serve/report.h) takes; one program links both, as paddock's unit
 * tests do (their names must not clash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../initrd/report_queue.h"
#include "../../initrd/report_send.h"
#include "serve/report.h"

static const char *const node_stages[] = { "init", "network", "state-disk", "system-docker", "etcd-member",
					   "etcd-healthy", "role-containers", "failed" };

static void same_stages(void **state)
{
	(void)state;
	size_t n = 0;
	for (size_t i = 0; report_stages[i]; i++, n++)
		assert_true(report_stage_known(report_stages[i]));
	assert_int_equal(n, sizeof(node_stages) / sizeof(node_stages[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(report_stages[i], node_stages[i]);
}

/* Each stage as the node queues, frames and signs it, checked by the server. */
static void node_reports_accepted(void **state)
{
	(void)state;
	char dir[] = "/tmp/paddock-agree.XXXXXX", path[64], line[REPORT_LINE_MAX];
	const char *keytext = "8903ee68a7a05241ebf0d2be3700e3c1ca69e21b59bc49b1548684ef9983a243\n";
	struct report_node node = { .name = "node1", .has_key = true };
	struct report_book book = { 0 };
	struct perr err = PERR_INIT;
	unsigned char key[REPORT_KEY_LEN];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/queue", dir);
	assert_int_equal(report_key_parse(keytext, strlen(keytext), key, &err), 0);
	/* the server reads the same file format (OUT/<node>/report.key) */
	FILE *f = fopen(strcat(strcpy(line, dir), "/report.key"), "w");
	assert_non_null(f);
	fputs(keytext, f);
	fclose(f);
	assert_int_equal(report_key_load(line, node.key, &err), 0);
	assert_memory_equal(key, node.key, REPORT_KEY_LEN);

	assert_int_equal(report_queue_create(path), 0);
	for (size_t i = 0; i < sizeof(node_stages) / sizeof(node_stages[0]); i++)
		assert_int_equal(report_queue_append(path, 1.5 + (double)i, node_stages[i],
						     i == 4 ? "new cluster: node1=https://10.10.0.11:2380" : NULL), 0);
	FILE *q = fopen(path, "r");
	assert_non_null(q);
	for (unsigned long seq = 1; fgets(line, sizeof(line), q); seq++) {
		char *body = report_body("node1", "0e5f3c9c-7b1a-4c0e-9a55-3d8e0a1b2c3d", seq, line, strlen(line));
		char hex[65], header[80];
		struct report r;
		size_t at = 9;
		assert_non_null(body);
		assert_int_equal(report_sign_hex(key, sizeof(key), body, strlen(body), hex, &err), 0);
		snprintf(header, sizeof(header), "sha256=%s", hex);
		assert_int_equal(report_accept(&book, &node, 1, body, strlen(body), header, &r, &at, &err), 204);
		assert_int_equal(at, 0);
		assert_string_equal(r.stage, node_stages[seq - 1]);
		assert_int_equal(r.t, 1500 + 1000 * (seq - 1));
		if (seq == 5)
			assert_string_equal(r.detail, "new cluster: node1=https://10.10.0.11:2380");
		report_clear(&r);
		/* the same again: replayed */
		assert_int_equal(report_accept(&book, &node, 1, body, strlen(body), header, &r, &at, &err), 409);
		perr_clear(&err);
		/* signed with another key: refused */
		unsigned char other[REPORT_KEY_LEN] = { 7 };
		assert_int_equal(report_sign_hex(other, sizeof(other), body, strlen(body), hex, &err), 0);
		snprintf(header, sizeof(header), "sha256=%s", hex);
		assert_int_equal(report_accept(&book, &node, 1, body, strlen(body), header, &r, &at, &err), 401);
		perr_clear(&err);
		free(body);
	}
	fclose(q);
	report_book_free(&book);
	unlink(path);
	strcat(strcpy(line, dir), "/report.key");
	unlink(line);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_stages),
		cmocka_unit_test(node_reports_accepted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
