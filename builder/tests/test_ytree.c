#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/ytree.h"

static struct ynode *parse(const char *s, struct diag_list *d, struct perr *e)
{
	struct ynode *n = NULL;
	int r = ytree_parse("t.yml", s, strlen(s), &n, d, e);
	return r < 0 ? NULL : n;
}

static void positions_and_last_key_wins(void **state)
{
	(void)state;
	struct diag_list d = { 0 };
	struct perr e = PERR_INIT;
	struct ynode *n = parse("a: 1\nb:\n  c: x\na: 2\n", &d, &e);
	assert_non_null(n);
	assert_int_equal(n->kind, Y_MAP);
	assert_int_equal(ymap_len(n), 2);
	const struct ynode *a = ymap_get(n, "a");
	assert_string_equal(a->val, "2");
	assert_int_equal(a->line, 4);
	assert_int_equal(a->col, 4);
	const struct ynode *c = ymap_get(ymap_get(n, "b"), "c");
	assert_int_equal(c->line, 3);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "duplicate key"));
	assert_int_equal(d.v[0].line, 4);
	ynode_unref(n);
	diag_free(&d);
}

static void aliases_and_merge_keys(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct ynode *n = parse("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n", NULL, &e);
	assert_non_null(n);
	const struct ynode *o = ymap_get(n, "other");
	assert_string_equal(ymap_get(o, "x")->val, "1");
	assert_string_equal(ymap_get(o, "y")->val, "3");
	assert_null(ymap_get(o, "<<"));
	assert_ptr_equal(ymap_get(n, "list")->items[0], ymap_get(n, "base"));
	ynode_unref(n);
	/* yaml.v2 precedence: explicit keys, then earlier merge sources */
	struct diag_list d = { 0 };
	n = parse("a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc: {<<: [*a, *b], y: 3}\n", &d, &e);
	assert_non_null(n);
	const struct ynode *c = ymap_get(n, "c");
	assert_int_equal(ymap_len(c), 3);
	assert_string_equal(ymap_get(c, "x")->val, "1");
	assert_string_equal(ymap_get(c, "y")->val, "3");
	assert_string_equal(ymap_get(c, "z")->val, "2");
	assert_int_equal(d.n, 0);
	ynode_unref(n);
	assert_null(parse("a: &a [1]\nb: {<<: *a}\n", NULL, &e));
	assert_non_null(strstr(e.msg, "merge key"));
	perr_clear(&e);
}

static void alias_bomb_refused(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);
	fprintf(f, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++)
		fprintf(f, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
			i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	fclose(f);
	assert_null(parse(doc, NULL, &e));
	assert_non_null(strstr(e.msg, "alias"));
	assert_true(e.line > 1);
	perr_clear(&e);
	free(doc);
}

static void deep_nesting_refused(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char *doc = malloc(20001);
	memset(doc, '[', 10000);
	memset(doc + 10000, ']', 10000);
	doc[20000] = '\0';
	assert_null(parse(doc, NULL, &e));
	assert_non_null(strstr(e.msg, "nesting"));
	perr_clear(&e);
	free(doc);
}

static void syntax_errors_and_templates(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	assert_null(parse("a: [1, 2\nb: 3\n", NULL, &e));
	assert_true(e.line >= 1);
	assert_non_null(strstr(e.msg, "yaml:"));
	perr_clear(&e);
	assert_null(parse("nodes:\n%{ for x in y ~}\n- a\n", NULL, &e));
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "unrendered template"));
	perr_clear(&e);
	assert_null(parse("nodes:\n- address: {{ ip }}\n", NULL, &e));
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "unrendered template `{{ ip }}`"));
	perr_clear(&e);
	assert_null(parse("? [a, b]\n: c\n", NULL, &e));
	assert_non_null(strstr(e.msg, "invalid map key"));
	perr_clear(&e);
}

static void binary_refused(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct ynode *n = NULL;
	assert_true(ytree_parse("t", "a: 1\n\0\1\2", 8, &n, NULL, &e) < 0);
	assert_non_null(strstr(e.msg, "binary"));
	assert_int_equal(e.line, 2);
	perr_clear(&e);
}

static void first_document_only(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct ynode *n = parse("---\na: 1\n---\nb: 2\n", NULL, &e);
	assert_non_null(n);
	assert_non_null(ymap_get(n, "a"));
	assert_null(ymap_get(n, "b"));
	ynode_unref(n);
	n = parse("# only a comment\n", NULL, &e);
	assert_null(n);
	assert_null(e.msg);
}

static void nulls(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct ynode *n = parse("a:\nb: ~\nc: null\nd: 'null'\n", NULL, &e);
	assert_true(ynode_is_null(ymap_get(n, "a")));
	assert_true(ynode_is_null(ymap_get(n, "b")));
	assert_true(ynode_is_null(ymap_get(n, "c")));
	assert_false(ynode_is_null(ymap_get(n, "d")));
	ynode_unref(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(positions_and_last_key_wins),
		cmocka_unit_test(aliases_and_merge_keys),
		cmocka_unit_test(alias_bomb_refused),
		cmocka_unit_test(deep_nesting_refused),
		cmocka_unit_test(syntax_errors_and_templates),
		cmocka_unit_test(binary_refused),
		cmocka_unit_test(first_document_only),
		cmocka_unit_test(nulls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
