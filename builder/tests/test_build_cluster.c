/* build_cluster() on the bundled single-node example, with the real
 * component cache ($PADDOCK_CACHE, else ~/.cache/paddock, filled by `make
 * components`) and the source tree the tests run in: every output is
 * there, the warnings come through the report, and a failure says whether
 * anything was being built.  Exits 77 (skipped) when the cache or the
 * built /init is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "build/build_cluster.h"
#include "components/lock.h"
#include "fsutil.h"
#include "strv.h"
#include "testutil.h"

#define NODE "paddock-single"

static char dir[] = "/tmp/paddock-test-build-cluster.XXXXXX";
static char *cache;
/* the bundled example, copied so its state file is made in the scratch directory */
static char *cluster;

struct heard {
	size_t diag_calls;
	struct strv warnings;
};

static void heard_diags(void *ctx, const struct diag_list *d, const struct perr *load_err)
{
	(void)d;
	(void)load_err;
	((struct heard *)ctx)->diag_calls++;
}

static void heard_warning(void *ctx, const char *msg)
{
	strv_add(&((struct heard *)ctx)->warnings, msg);
}

static struct build_options options(const char *file, const char *out, const struct build_report *rep)
{
	return (struct build_options){ .file = file, .out = out, .root = ".", .cache = cache,
				       .source_date_epoch = 1700000000, .report = rep };
}

static void builds_every_output(void **state)
{
	(void)state;
	struct heard h = { 0, STRV_INIT };
	struct build_report rep = { heard_diags, heard_warning, &h };
	char *out = path_join(dir, "out");
	struct build_options o = options(cluster, out, &rep);
	struct perr err = PERR_INIT;
	enum build_failure failure = BUILD_FAILED_INPUT;
	if (build_cluster(&o, &failure, &err) < 0)
		fail_msg("build_cluster: %s", err.msg);
	assert_int_equal(h.diag_calls, 1);
	/* the file's formats: kernel, iso, pxe, ipxe */
	static const char *const files[] = {
		"base.img", "vmlinuz", "manifest.json", "SHA256SUMS",
		NODE "/node.img", NODE "/vmlinuz", NODE "/cmdline", NODE "/initrd.img", NODE "/" NODE ".iso",
		"tftp/pxelinux.0", "tftp/base.img", "tftp/pxelinux.cfg/01-52-54-00-00-01-01",
		"ipxe/boot.ipxe", "ipxe/52-54-00-00-01-01.ipxe", "ipxe/nodes/" NODE ".img",
		"kube_config_single-node.yml", "etcd/ca.pem", "etcd/client.pem", "etcd/client-key.pem",
		"etcd/etcdctl.env",
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char *p = path_join(out, files[i]);
		if (file_size(p) <= 0)
			fail_msg("%s: missing or empty", files[i]);
		free(p);
	}
	struct stat st;
	char *p = path_join(out, NODE);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	free(p);
	/* the new state file is announced; besides, one warning at most (the SSH
	 * key, when this machine has none), named by node */
	assert_true(h.warnings.n >= 1 && h.warnings.n <= 2);
	assert_non_null(strstr(h.warnings.v[h.warnings.n - 1], "single-node.paddock-state"));
	assert_non_null(strstr(h.warnings.v[h.warnings.n - 1], "losing it means re-keying the cluster"));
	if (h.warnings.n == 2)
		assert_int_equal(strncmp(h.warnings.v[0], "node " NODE ": ", strlen("node " NODE ": ")), 0);
	strv_clear(&h.warnings);
	free(out);
}

static void failures_say_where(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	enum build_failure failure = BUILD_FAILED_OUTPUT;
	char *out = path_join(dir, "never");
	struct build_options o = options("configs/no-such-cluster.yml", out, NULL);
	assert_true(build_cluster(&o, &failure, &err) < 0);
	assert_int_equal(failure, BUILD_FAILED_INPUT);
	assert_non_null(err.msg);
	perr_clear(&err);
	/* OUT's parent does not exist: the input was fine, the output not */
	char *orphan = path_join(dir, "no/such/parent/out");
	o = options(cluster, orphan, NULL);
	o.formats = "kernel";
	assert_true(build_cluster(&o, &failure, &err) < 0);
	assert_int_equal(failure, BUILD_FAILED_OUTPUT);
	assert_non_null(strstr(err.msg, "does not exist"));
	perr_clear(&err);
	assert_int_equal(access(out, F_OK), -1);
	free(orphan);
	free(out);
}

/* NULL when the cache holds every component of the lock file and the
 * source tree has a built /init; else why not. */
static const char *missing(void)
{
	static char why[512];
	struct lock lock = { 0 };
	struct perr err = PERR_INIT;
	if (access("build/initrd/init", X_OK) < 0 || access("build/initrd/paddockctl", X_OK) < 0)
		return "no build/initrd/init or paddockctl here (make all)";
	if (lock_load("configs/components.lock", &lock, &err) < 0) {
		snprintf(why, sizeof why, "%s", err.msg ? err.msg : "cannot read the lock file");
		perr_clear(&err);
		return why;
	}
	const char *r = NULL;
	for (size_t i = 0; i < lock.n && !r; i++) {
		char *p = component_cache_path(&lock.v[i], cache);
		if (!p || access(p, R_OK) < 0) {
			snprintf(why, sizeof why, "%s is not in %s (make components)", lock.v[i].name, cache);
			r = why;
		}
		free(p);
	}
	lock_free(&lock);
	return r;
}

int main(void)
{
	cache = test_cache_dir();
	const char *why = cache ? missing() : "no cache: set PADDOCK_CACHE or HOME";
	if (why) {
		printf("SKIP: %s\n", why);
		free(cache);
		return 77;
	}
	struct perr err = PERR_INIT;
	if (scratch_make(dir) < 0 || !(cluster = path_join(dir, "single-node.yml")) ||
	    copy_file("configs/single-node.yml", cluster, 0644, &err) < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builds_every_output),
		cmocka_unit_test(failures_say_where),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	scratch_remove(dir);
	free(cluster);
	free(cache);
	return r;
}
