#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nodecfg.h"

static void roundtrip_keeps_order_and_escapes(void **state)
{
	(void)state;
	struct nodecfg c = { 0 }, d = { 0 };
	struct perr e = PERR_INIT;
	size_t len, pos = 0;
	char *s;

	assert_int_equal(nodecfg_add(&c, "node.name", "n1"), 0);
	assert_int_equal(nodecfg_add(&c, "net.dns", "1.1.1.1"), 0);
	assert_int_equal(nodecfg_add(&c, "net.dns", "a\\b\nc\td"), 0);
	s = nodecfg_serialize(&c, &len);
	assert_non_null(s);
	assert_string_equal(s, "node.name=n1\nnet.dns=1.1.1.1\nnet.dns=a\\\\b\\nc\\td\n");
	assert_int_equal(nodecfg_parse("t", s, len, &d, &e), 0);
	assert_string_equal(nodecfg_get(&d, "node.name"), "n1");
	assert_string_equal(nodecfg_next(&d, "net.dns", &pos), "1.1.1.1");
	assert_string_equal(nodecfg_next(&d, "net.dns", &pos), "a\\b\nc\td");
	assert_null(nodecfg_next(&d, "net.dns", &pos));
	assert_null(nodecfg_get(&d, "missing"));
	free(s);
	nodecfg_free(&c);
	nodecfg_free(&d);
}

static void rejects_bad_lines_with_line_number(void **state)
{
	(void)state;
	struct nodecfg c = { 0 };
	struct perr e = PERR_INIT;
	const char *in = "# comment\n\nok=1\nBad Key=2\n";
	assert_int_not_equal(nodecfg_parse("node.conf", in, strlen(in), &c, &e), 0);
	assert_int_equal(e.line, 4);
	assert_string_equal(e.file, "node.conf");
	perr_clear(&e);
	in = "k=bad\\q\n";
	assert_int_not_equal(nodecfg_parse("node.conf", in, strlen(in), &c, &e), 0);
	assert_int_equal(e.line, 1);
	perr_clear(&e);
	assert_int_equal(nodecfg_add(&c, "UPPER", "x"), -22);
	nodecfg_free(&c);
}

static void perr_wrap_keeps_location(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char *s;
	assert_int_equal(perr_setat(&e, -22, "c.yml", 14, 7, "expected an integer"), -22);
	assert_int_equal(perr_wrap(&e, "services.etcd.uid"), -22);
	s = perr_format(&e);
	assert_string_equal(s, "c.yml:14:7: services.etcd.uid: expected an integer");
	free(s);
	perr_clear(&e);
	assert_null(e.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_keeps_order_and_escapes),
		cmocka_unit_test(rejects_bad_lines_with_line_number),
		cmocka_unit_test(perr_wrap_keeps_location),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
