/* The pieces behind messages that point at the real mistake (issue 26):
 * node addresses, removed flags, pasted prompts, section-aware
 * suggestions, line order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config_schema.h"
#include "config/diag.h"
#include "config/netaddr.h"
#include "config/removed_flags.h"
#include "config/shell_prompt.h"

static void node_addresses(void **state)
{
	(void)state;
	const char *fine[] = { "10.0.0.1", "fd00::1", "node-1.example.com", "Node-1", "host.example.com.",
			       "ip-10-0-0-1.ec2.internal", "NODE1" };
	for (size_t i = 0; i < sizeof(fine) / sizeof(*fine); i++)
		assert_null(node_address_problem(fine[i]));
	const char *placeholder[] = { "<master_ip>", "YOUR-SERVER-IP", "Master node IP", "MASTER_IP",
				      "{ip}", "X.X.X.X" };
	for (size_t i = 0; i < sizeof(placeholder) / sizeof(*placeholder); i++) {
		const char *why = node_address_problem(placeholder[i]);
		assert_non_null(why);
		assert_non_null(strstr(why, "placeholder"));
	}
	assert_non_null(strstr(node_address_problem("10.0.0.256"), "IPv4"));
	assert_non_null(strstr(node_address_problem("x.x.x.x"), "IPv4"));
	assert_non_null(strstr(node_address_problem("10.0.0.1:22"), "port"));
	assert_non_null(node_address_problem("node_1"));
	assert_non_null(node_address_problem("-node"));
	assert_true(is_loopback("127.0.1.1"));
	assert_true(is_loopback("::1"));
	assert_true(is_loopback("LocalHost"));
	assert_false(is_loopback("10.0.0.1"));
}

static void removed_flags(void **state)
{
	(void)state;
	assert_int_equal(removed_flag_minor("kubelet", "container-runtime", 27), 27);
	assert_int_equal(removed_flag_minor("kubelet", "--container-runtime", 30), 27);
	assert_int_equal(removed_flag_minor("kubelet", "container-runtime", 26), 0);
	assert_int_equal(removed_flag_minor("kubelet", "network-plugin", 24), 24);
	assert_int_equal(removed_flag_minor("kube-controller", "pod-eviction-timeout", 28), 27);
	assert_int_equal(removed_flag_minor("kube-api", "insecure-port", 23), 0);
	assert_int_equal(removed_flag_minor("kube-api", "container-runtime", 30), 0);
	assert_int_equal(removed_flag_minor("kubelet", "max-pods", 30), 0);
}

static void prompts(void **state)
{
	(void)state;
	char text[64];
	int line = 0;
	const char *yes[] = { "$ cat cluster.yml\n", "[root@node1 ~]# rke up\n", "[me@h1 rke]$ vi c.yml\n",
			      "ubuntu@cp-1:~$ cat cluster.yml\n", "root@h:/etc/rke# \n",
			      "PS C:\\Users\\me> rke up\n" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		char *doc = NULL;
		assert_true(asprintf(&doc, "nodes:\n  - address: x\n%s", yes[i]) > 0);
		assert_true(shell_prompt_find(doc, strlen(doc), &line, text, sizeof(text)));
		assert_int_equal(line, 3);
		free(doc);
	}
	const char *no[] = { "nodes:\n  - address: 10.0.0.1\n", "# $ rke up\n", "key: $ rke up\n",
			     "  $ rke up\n", "a: [x@y]\n", "email@example.com: x\n", "${var}: x\n" };
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		assert_false(shell_prompt_find(no[i], strlen(no[i]), &line, text, sizeof(text)));
}

static void synonyms(void **state)
{
	(void)state;
	assert_string_equal(schema_synonym("nodes", "name"), "hostname_override");
	assert_string_equal(schema_synonym("", "name"), "cluster_name");
	assert_string_equal(schema_synonym("nodes", "ip"), "address");
	assert_null(schema_synonym("cloud_provider", "name"));
	assert_null(schema_synonym("services", "name"));
}

static void line_order(void **state)
{
	(void)state;
	struct diag_list d = { 0 };
	diag_add(&d, "f", 9, 1, "nine");
	diag_add(&d, "f", 0, 0, "file");
	diag_add(&d, "f", 3, 1, "three");
	diag_note(&d, "f", 3, 5, "three too");
	diag_add(&d, "f", 1, 1, "one");
	diag_sort(&d);
	const char *want[] = { "one", "three", "three too", "nine", "file" };
	assert_int_equal(d.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(d.v[i].msg, want[i]);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_addresses),
		cmocka_unit_test(removed_flags),
		cmocka_unit_test(prompts),
		cmocka_unit_test(synonyms),
		cmocka_unit_test(line_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
