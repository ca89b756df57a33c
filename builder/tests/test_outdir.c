/* The output directory swap, the node layer, SHA256SUMS, JSON, cmdline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "build/build.h"
#include "plan/cmdline.h"
#include "fsutil.h"
#include "image/layer.h"
#include "image/node_layer.h"
#include "components/listfile.h"
#include "out/manifest.h"
#include "out/outdir.h"
#include "testutil.h"

SCRATCH_GROUP("outdir")

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len;
	struct perr e = PERR_INIT;
	if (read_file(path, 1 << 20, &buf, &len, &e) < 0)
		perr_clear(&e);
	return buf;
}

static void swaps_whole_directories(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct outdir o;
	char *out = path_join(dir, "out"), *f = NULL, *old = path_join(out, "old");
	/* first build: OUT does not exist yet */
	assert_int_equal(outdir_begin(&o, out, &e), 0);
	f = path_join(o.tmp, "old");
	assert_int_equal(write_file(f, "1", 1, 0644, &e), 0);
	free(f);
	assert_int_equal(outdir_commit(&o, &e), 0);
	assert_int_equal(access(old, F_OK), 0);
	/* an aborted build leaves it alone */
	assert_int_equal(outdir_begin(&o, out, &e), 0);
	char *tmp = strdup(o.tmp);
	outdir_abort(&o);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(old, F_OK), 0);
	free(tmp);
	/* a committed one replaces it whole */
	assert_int_equal(outdir_begin(&o, out, &e), 0);
	f = path_join(o.tmp, "new");
	assert_int_equal(write_file(f, "2", 1, 0644, &e), 0);
	free(f);
	assert_int_equal(outdir_commit(&o, &e), 0);
	assert_int_equal(access(old, F_OK), -1);
	f = path_join(out, "new");
	assert_int_equal(access(f, F_OK), 0);
	free(f);
	/* a temporary of a dead process is swept; OUT as a file is refused */
	char *stale = path_join(dir, ".out.tmp-999999999-abcdef");
	assert_int_equal(mkdir(stale, 0755), 0);
	assert_int_equal(outdir_begin(&o, out, &e), 0);
	outdir_abort(&o);
	assert_int_equal(access(stale, F_OK), -1);
	free(stale);
	char *file = path_join(dir, "plainfile");
	assert_int_equal(write_file(file, "", 0, 0644, &e), 0);
	assert_true(outdir_begin(&o, file, &e) < 0);
	assert_non_null(strstr(e.msg, "not a directory"));
	perr_clear(&e);
	free(file);
	char *orphan = path_join(dir, "no/such/parent");
	assert_true(outdir_begin(&o, orphan, &e) < 0);
	perr_clear(&e);
	free(orphan);
	free(out);
	free(old);
}

static void node_layer_holds_config_and_files(void **state)
{
	(void)state;
	struct nodecfg cfg = { 0 };
	struct layer l = { 0 };
	struct perr e = PERR_INIT;
	nodecfg_add(&cfg, "node.name", "n1");
	struct node_file key = { "/etc/paddock/pki/node.key", "SECRET", 6, 0600 };
	struct build_node n = { .name = "n1", .cmdline = "x", .cfg = &cfg, .files = &key, .nfiles = 1 };
	assert_int_equal(node_layer(&n, &l, &e), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[2].path, "/etc/paddock/node.conf");
	assert_memory_equal(l.v[2].data, "node.name=n1\n", 13);
	const struct lent *k = layer_find(&l, "/etc/paddock/pki/node.key");
	assert_non_null(k);
	assert_int_equal(k->perm, 0600);
	layer_free(&l);
	nodecfg_free(&cfg);
}

static void sums_are_sorted(void **state)
{
	(void)state;
	struct outfiles f = { 0 };
	struct perr e = PERR_INIT;
	const char *a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	assert_int_equal(outfiles_add(&f, "vmlinuz", a, 1), 0);
	assert_int_equal(outfiles_add(&f, "n1/node.img", b, 2), 0);
	assert_int_equal(sums_write(dir, &f, &e), 0);
	char *p = path_join(dir, "SHA256SUMS"), *s = slurp(p);
	char want[256];
	snprintf(want, sizeof(want), "%s  n1/node.img\n%s  vmlinuz\n", b, a);
	assert_string_equal(s, want);
	free(s);
	free(p);
	outfiles_free(&f);
}

static void manifest_lists_files_by_node_and_media(void **state)
{
	(void)state;
	struct outfiles f = { 0 };
	struct perr e = PERR_INIT;
	struct nodecfg info = { 0 };
	struct lock lock = { 0 };
	const char *h = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
	nodecfg_add(&info, "base.size", "7");
	assert_int_equal(outfiles_add(&f, "n1/node.img", h, 2), 0);
	assert_int_equal(outfiles_add(&f, "n1/sub/x", h, 3), 0);
	assert_int_equal(outfiles_add(&f, "tftp/pxelinux.cfg/default", h, 4), 0);
	assert_int_equal(outfiles_add(&f, "ssh_config", h, 5), 0);
	struct manifest_node n = { "n1", "a\"b\\c\x01" };
	char *operator[] = { "ssh_config", NULL };
	struct manifest_input m = { .cluster = "c", .source = "/src/cluster.yml", .source_date_epoch = 5,
				    .base_key = "k", .base_info = &info, .lock = &lock, .nodes = &n, .n_nodes = 1,
				    .operator_files = operator };
	char sha[DIGEST_HEX_LEN + 1];
	size_t len = 0;
	assert_int_equal(manifest_write(dir, &m, &f, sha, &len, &e), 0);
	char *p = path_join(dir, "manifest.json"), *s = slurp(p);
	assert_int_equal(strlen(s), len);
	assert_non_null(strstr(s, "\"source\": \"cluster.yml\", \"source_date_epoch\": 5,\n"));
	assert_non_null(strstr(s, "\"package\": null, "));
	assert_non_null(strstr(s, "\"size\": 7, \"uncompressed_size\": 0, "));
	assert_non_null(strstr(s, "\"cmdline\": \"a\\\"b\\\\c\\u0001\", "));
	/* only the node's own files, not those of its subdirectories */
	assert_non_null(strstr(s, "\"files\": [\n      { \"path\": \"n1/node.img\", "));
	assert_null(strstr(s, "n1/sub/x"));
	assert_non_null(strstr(s, "\"media\": [\n    { \"path\": \"tftp/pxelinux.cfg/default\", "));
	assert_non_null(strstr(s, "\"operator\": [\n    { \"path\": \"ssh_config\", "));
	assert_string_equal(s + len - 4, "]\n}\n");
	free(s);
	free(p);
	nodecfg_free(&info);
	outfiles_free(&f);
}

static void cmdline_has_console_and_node(void **state)
{
	(void)state;
	char *s = cmdline_format("ttyS1", "n1", "quiet loglevel=3");
	assert_string_equal(s, "console=tty0 console=ttyS1,115200 paddock.node=n1 quiet loglevel=3");
	free(s);
	s = cmdline_format(NULL, "n2", "");
	assert_string_equal(s, "console=tty0 console=ttyS0,115200 paddock.node=n2");
	free(s);
	assert_null(cmdline_format("ttyS0", NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(swaps_whole_directories),
		cmocka_unit_test(node_layer_holds_config_and_files),
		cmocka_unit_test(sums_are_sorted),
		cmocka_unit_test(manifest_lists_files_by_node_and_media),
		cmocka_unit_test(cmdline_has_console_and_node),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
