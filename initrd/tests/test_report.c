/* The boot-stage reports (report_queue.h, report_send.h): the kernel
 * command line, the queue's lines (written, read back in order, a line not
 * finished yet left, a malformed one skipped), percent-encoding, the body
 * and its HMAC-SHA256 (RFC 4231's vector, and OpenSSL's HMAC() over a real
 * body), the key file and what each answer means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kcmdline.h"
#include "report_queue.h"
#include "report_send.h"

static void cmdline_values(void **state)
{
	(void)state;
	const char *line = "BOOT_IMAGE=vmlinuz console=ttyS0 paddock.node=node1 paddock.shell "
			   "paddock.report=http://10.0.0.1:8080/report paddock.nodex=no quiet\n";
	char *v;

	assert_string_equal(v = kcmdline_value(line, "paddock.node"), "node1");
	free(v);
	assert_string_equal(v = kcmdline_value(line, "paddock.report"), "http://10.0.0.1:8080/report");
	free(v);
	assert_string_equal(v = kcmdline_value(line, "paddock.shell"), "");
	free(v);
	assert_string_equal(v = kcmdline_value(line, "quiet"), "");
	free(v);
	/* a prefix of another word is not the key */
	assert_null(kcmdline_value(line, "paddock"));
	assert_null(kcmdline_value(line, "paddock.rep"));
	assert_null(kcmdline_value("", "paddock.report"));
	/* the last one counts */
	assert_string_equal(v = kcmdline_value("a=1\ta=2", "a"), "2");
	free(v);
	assert_string_equal(v = kcmdline_value("paddock.report=", "paddock.report"), "");
	free(v);

	char path[] = "/tmp/test_report_cmdline.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	assert_string_equal(v = kcmdline_get_from(path, "paddock.report"), "http://10.0.0.1:8080/report");
	free(v);
	unlink(path);
	assert_null(kcmdline_get_from(path, "paddock.report"));
}

static void percent_encoding(void **state)
{
	(void)state;
	char *s;

	assert_string_equal(s = report_pct_encode("AZaz09-._~", 100), "AZaz09-._~");
	free(s);
	assert_string_equal(s = report_pct_encode("etcd: exit 1; 50% /dev/vda\n\"=\xc3\xa9", 100),
			    "etcd%3A%20exit%201%3B%2050%25%20%2Fdev%2Fvda%0A%22%3D%C3%A9");
	free(s);
	assert_string_equal(s = report_pct_encode("abcdef", 3), "abc");
	free(s);
	assert_string_equal(s = report_pct_encode("", 3), "");
	free(s);
}

static void stage_names(void **state)
{
	(void)state;
	const char *known[] = { "init", "network", "state-disk", "system-docker", "etcd-member", "etcd-healthy",
				"role-containers", "failed" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_true(report_stage_known(known[i]));
	assert_false(report_stage_known("etcd"));
	assert_false(report_stage_known(NULL));
	/* the console's stage names, as the stage lines print them */
	assert_string_equal(report_stage_of("etcd"), "etcd-healthy");
	assert_string_equal(report_stage_of("containers"), "role-containers");
	assert_string_equal(report_stage_of("state-disk"), "state-disk");
	assert_string_equal(report_stage_of("system-docker"), "system-docker");
	assert_string_equal(report_stage_of("network"), "network");
	assert_null(report_stage_of("sysctl"));
	assert_null(report_stage_of("images"));
}

static void line_syntax(void **state)
{
	(void)state;
	const char *good[] = { "t=0 stage=init", "t=1234 stage=etcd-healthy",
			       "t=99 stage=failed detail=etcd%3A%20exit%201", "t=5 stage=etcd-member detail=" };
	const char *bad[] = { "", "t= stage=init", "t=1 stage=etcd", "t=1 stage=init ", "t=1 stage=init x=1",
			      "t=1 stage=failed detail=a b", "t=1 stage=failed detail=a\"b", "stage=init",
			      "t=1234567890123456789012 stage=init", "t=1  stage=init" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!report_line_valid(good[i], strlen(good[i])))
			fail_msg("'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (report_line_valid(bad[i], strlen(bad[i])))
			fail_msg("'%s' taken", bad[i]);
}

struct seen {
	char *lines[16];
	size_t n, stop_after;
};

static bool collect(void *ctx, const char *line, size_t len)
{
	struct seen *s = ctx;
	if (s->stop_after && s->n == s->stop_after)
		return false;
	assert_true(s->n < 16);
	assert_int_equal(line[len - 1], '\n');
	s->lines[s->n++] = strndup(line, len);
	return true;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i]);
	s->n = 0;
}

static void queue_written_and_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_report_queue.XXXXXX", path[64];
	struct seen s = { 0 };
	size_t skipped = 0;
	off_t off = 0;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.queue", dir);
	/* no queue: reports are off, nothing is made */
	assert_int_equal(report_queue_append(path, 1.0, "init", NULL), -ENOENT);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(report_queue_create(path), 0);
	assert_int_equal(report_queue_append(path, 1.5, "init", NULL), 0);
	assert_int_equal(report_queue_append(path, 3.25, "network", NULL), 0);
	assert_int_equal(report_queue_append(path, 4, "etcd", NULL), -EINVAL);
	assert_int_equal(report_queue_append(path, 9.001, "failed", "etcd: exit 1"), 0);

	fd = open(path, O_RDWR | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(report_queue_read(fd, &off, collect, &s, &skipped), 3);
	assert_int_equal(skipped, 0);
	assert_string_equal(s.lines[0], "t=1500 stage=init\n");
	assert_string_equal(s.lines[1], "t=3250 stage=network\n");
	assert_string_equal(s.lines[2], "t=9001 stage=failed detail=etcd%3A%20exit%201\n");
	seen_free(&s);

	/* a line not finished waits; a malformed one is passed over */
	const char *more = "garbage here\nt=10000 stage=etcd-member detail=new%20cluster\nt=11000 stage=etc";
	assert_int_equal(write(fd, more, strlen(more)), (ssize_t)strlen(more));
	assert_int_equal(report_queue_read(fd, &off, collect, &s, &skipped), 1);
	assert_int_equal(skipped, 1);
	assert_string_equal(s.lines[0], "t=10000 stage=etcd-member detail=new%20cluster\n");
	seen_free(&s);
	assert_int_equal(report_queue_read(fd, &off, collect, &s, &skipped), 0);
	assert_int_equal(write(fd, "d-healthy\n", 10), 10);
	assert_int_equal(report_queue_read(fd, &off, collect, &s, &skipped), 1);
	assert_string_equal(s.lines[0], "t=11000 stage=etcd-healthy\n");
	seen_free(&s);

	/* a line far too long is skipped whole; fn may stop before a line */
	char *huge = malloc(3 * REPORT_LINE_MAX);
	assert_non_null(huge);
	memset(huge, 'x', 3 * REPORT_LINE_MAX - 1);
	huge[3 * REPORT_LINE_MAX - 1] = '\n';
	assert_int_equal(write(fd, huge, 3 * REPORT_LINE_MAX), 3 * REPORT_LINE_MAX);
	free(huge);
	assert_int_equal(report_queue_append(path, 12, "role-containers", NULL), 0);
	assert_int_equal(report_queue_append(path, 13, "failed", "x"), 0);
	s.stop_after = 1;
	assert_int_equal(report_queue_read(fd, &off, collect, &s, &skipped), 1);
	assert_int_equal(skipped, 2);
	assert_string_equal(s.lines[0], "t=12000 stage=role-containers\n");
	seen_free(&s);
	assert_int_equal(report_queue_read(fd, &off, collect, &s, &skipped), 1);
	assert_string_equal(s.lines[0], "t=13000 stage=failed detail=x\n");
	seen_free(&s);
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void body_and_signature(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	char hex[65];
	/* RFC 4231, test case 2 */
	const char *data = "what do ya want for nothing?";
	assert_int_equal(report_sign_hex((const unsigned char *)"Jefe", 4, data, strlen(data), hex, &err), 0);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	const char *line = "t=3250 stage=network\n";
	char *body = report_body("node1", "0e5f3c9c-7b1a-4c0e-9a55-3d8e0a1b2c3d", 2, line, strlen(line));
	assert_string_equal(body, "node=node1 boot=0e5f3c9c-7b1a-4c0e-9a55-3d8e0a1b2c3d seq=2 t=3250 stage=network\n");
	unsigned char key[REPORT_KEY_LEN], mac[32];
	const char *text = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F\n";
	assert_int_equal(report_key_parse(text, strlen(text), key, &err), 0);
	for (int i = 0; i < REPORT_KEY_LEN; i++)
		assert_int_equal(key[i], i);
	assert_int_equal(report_sign_hex(key, sizeof(key), body, strlen(body), hex, &err), 0);
	unsigned int n = 0;
	assert_non_null(HMAC(EVP_sha256(), key, sizeof(key), (unsigned char *)body, strlen(body), mac, &n));
	assert_int_equal(n, 32);
	char want[65];
	for (unsigned i = 0; i < n; i++)
		snprintf(want + 2 * i, 3, "%02x", mac[i]);
	assert_string_equal(hex, want);
	free(body);
}

static void key_file(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	unsigned char key[REPORT_KEY_LEN];
	const char *bad[] = { "", "00\n", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n",
			      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0\n",
			      "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
			      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n" };
	assert_int_equal(report_key_parse("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 64, key,
					  &err), 0);
	assert_int_equal(key[0], 0xff);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (report_key_parse(bad[i], strlen(bad[i]), key, &err) != -EINVAL)
			fail_msg("key '%s' taken", bad[i]);
		perr_clear(&err);
	}
}

static void answers_and_words(void **state)
{
	(void)state;
	assert_int_equal(report_verdict_of(true, 204), REPORT_DELIVERED);
	assert_int_equal(report_verdict_of(true, 200), REPORT_DELIVERED);
	assert_int_equal(report_verdict_of(true, 400), REPORT_BAD_REQUEST);
	assert_int_equal(report_verdict_of(true, 401), REPORT_BAD_KEY);
	assert_int_equal(report_verdict_of(true, 409), REPORT_REPLAYED);
	assert_int_equal(report_verdict_of(true, 500), REPORT_RETRY);
	assert_int_equal(report_verdict_of(true, 404), REPORT_RETRY);
	assert_int_equal(report_verdict_of(false, 0), REPORT_RETRY);
	assert_true(report_url_ok("http://10.0.0.1:8080/report"));
	assert_false(report_url_ok("https://10.0.0.1/report"));
	assert_false(report_url_ok("http://"));
	assert_false(report_url_ok("http://a b"));
	assert_false(report_url_ok(NULL));
	assert_true(report_word_ok("node-1.example"));
	assert_false(report_word_ok("node 1"));
	assert_false(report_word_ok(""));
	assert_false(report_word_ok(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmdline_values),    cmocka_unit_test(percent_encoding),
		cmocka_unit_test(stage_names),       cmocka_unit_test(line_syntax),
		cmocka_unit_test(queue_written_and_read), cmocka_unit_test(body_and_signature),
		cmocka_unit_test(key_file),          cmocka_unit_test(answers_and_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
