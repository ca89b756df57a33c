#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "strbuf.h"

static void parses_nested_documents(void **state)
{
	(void)state;
	struct json *j = NULL;
	struct perr e = PERR_INIT;
	const char *in = " {\"Id\":\"a\\u00e9\\n\",\"State\":{\"Running\":true,\"Pid\":42,\"X\":null},"
			 "\"L\":[1,-2.5e1,\"s\"],\"E\":{}} ";
	assert_int_equal(json_parse(in, strlen(in), &j, &e), 0);
	assert_string_equal(json_str_at(j, "Id"), "a\xc3\xa9\n");
	assert_true(json_bool_at(j, "State.Running", false));
	assert_int_equal((int)json_num_at(j, "State.Pid", 0), 42);
	assert_int_equal(json_path(j, "State.X")->type, JSON_NULL);
	assert_null(json_path(j, "State.Nope"));
	assert_null(json_str_at(j, "State.Pid"));
	const struct json *l = json_get(j, "L");
	assert_int_equal(l->type, JSON_ARR);
	assert_true(l->child->next->num == -25.0);
	assert_string_equal(l->child->next->next->str, "s");
	json_free(j);
}

static void rejects_bad_input(void **state)
{
	(void)state;
	static const char *const bad[] = { "", "{", "{\"a\"}", "[1,]", "tru", "\"abc", "{} x",
					   "\"\\q\"", "[1 2]", "\"a\x01\"" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json *j = NULL;
		struct perr e = PERR_INIT;
		assert_int_not_equal(json_parse(bad[i], strlen(bad[i]), &j, &e), 0);
		assert_null(j);
		assert_non_null(e.msg);
		perr_clear(&e);
	}
	/* deep nesting is refused, not recursed into */
	char *deep = malloc(10001);
	memset(deep, '[', 10000);
	deep[10000] = '\0';
	struct json *j = NULL;
	struct perr e = PERR_INIT;
	assert_int_not_equal(json_parse(deep, 10000, &j, &e), 0);
	assert_non_null(strstr(e.msg, "deep"));
	perr_clear(&e);
	free(deep);
}

static void strbuf_escapes_and_caps(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_json_str(&sb, "a\"b\\c\n\x01");
	assert_string_equal(sb.s, "\"a\\\"b\\\\c\\n\\u0001\"");
	sb_free(&sb);
	/* DEL is escaped too; '/' and UTF-8 are kept; NULL is "" */
	sb_json_str(&sb, "\x7f/\xc3\xa9\t\r\x1f");
	sb_json_str(&sb, NULL);
	assert_string_equal(sb.s, "\"\\u007f/\xc3\xa9\\t\\r\\u001f\"\"\"");
	sb_free(&sb);
	sb.max = 4;
	sb_adds(&sb, "abc");
	sb_adds(&sb, "de");
	assert_int_not_equal(sb.err, 0);
	assert_null(sb_steal(&sb));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_nested_documents),
		cmocka_unit_test(rejects_bad_input),
		cmocka_unit_test(strbuf_escapes_and_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
