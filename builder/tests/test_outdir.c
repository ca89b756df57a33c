/* The output directory swap, the node layer, SHA256SUMS, JSON, cmdline. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
#include "strv.h"
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

static void put_file(const char *path, const char *text)
{
	struct perr e = PERR_INIT;
	assert_int_equal(write_file(path, text, strlen(text), 0644, &e), 0);
}

static void swaps_whole_directories(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct outdir o;
	char *out = path_join(dir, "out"), *f = NULL, *old = path_join(out, "old");
	/* first build: OUT does not exist yet */
	assert_int_equal(outdir_begin(&o, out, NULL, &e), 0);
	f = path_join(o.tmp.path, "old");
	put_file(f, "1");
	free(f);
	assert_int_equal(outdir_commit(&o, &e), 0);
	assert_int_equal(access(old, F_OK), 0);
	/* the output is marked as one, and holds no lock file */
	f = path_join(out, OUTDIR_MARKER);
	char *m = slurp(f);
	assert_non_null(m);
	assert_memory_equal(m, OUTDIR_FORMAT "\n", strlen(OUTDIR_FORMAT) + 1);
	free(m);
	free(f);
	f = path_join(out, TMPDIR_LOCK);
	assert_int_equal(access(f, F_OK), -1);
	free(f);
	/* an aborted build leaves it alone */
	assert_int_equal(outdir_begin(&o, out, NULL, &e), 0);
	char *tmp = strdup(o.tmp.path);
	outdir_abort(&o);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(old, F_OK), 0);
	free(tmp);
	/* a committed one replaces it whole */
	assert_int_equal(outdir_begin(&o, out, NULL, &e), 0);
	f = path_join(o.tmp.path, "new");
	put_file(f, "2");
	free(f);
	assert_int_equal(outdir_commit(&o, &e), 0);
	assert_int_equal(access(old, F_OK), -1);
	f = path_join(out, "new");
	assert_int_equal(access(f, F_OK), 0);
	free(f);
	char *file = path_join(dir, "plainfile");
	put_file(file, "");
	assert_true(outdir_begin(&o, file, NULL, &e) < 0);
	assert_non_null(strstr(e.msg, "not a directory"));
	perr_clear(&e);
	free(file);
	char *orphan = path_join(dir, "no/such/parent");
	assert_true(outdir_begin(&o, orphan, NULL, &e) < 0);
	perr_clear(&e);
	free(orphan);
	free(out);
	free(old);
}

/* Names in d, dot files too, sorted into one string. */
static char *names_in(const char *d)
{
	DIR *dh = opendir(d);
	struct strv v = STRV_INIT;
	assert_non_null(dh);
	for (struct dirent *de; (de = readdir(dh));)
		strv_add(&v, de->d_name);
	closedir(dh);
	strv_sort(&v);
	size_t len = 1;
	for (size_t i = 0; i < v.n; i++)
		len += strlen(v.v[i]) + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; i < v.n; i++)
		strcat(strcat(s, v.v[i]), "\n");
	strv_clear(&v);
	return s;
}

/* outdir_begin(OUT) fails, says why and how to go on, and changes nothing
 * in OUT nor beside it. */
static void refused(const char *out, const struct outdir_keep *keep, const char *why)
{
	struct perr e = PERR_INIT;
	struct outdir o;
	char *parent = strdup(out);
	*strrchr(parent, '/') = 0;
	char *before = names_in(parent), *inside = names_in(out);
	assert_true(outdir_begin(&o, out, keep, &e) < 0);
	if (!strstr(e.msg, why) || !strstr(e.msg, "choose an empty or new directory"))
		fail_msg("%s: unexpected message: %s", out, e.msg);
	perr_clear(&e);
	char *after = names_in(parent), *inside_after = names_in(out);
	assert_string_equal(before, after);
	assert_string_equal(inside, inside_after);
	free(before);
	free(after);
	free(inside);
	free(inside_after);
	free(parent);
}

static void replaces_only_what_loses_nothing(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct outdir o;
	char *victim = path_join(dir, "victim"), *thesis = path_join(dir, "victim/important/thesis.txt");
	char *cfg = path_join(dir, "cfgdir"), *yml = path_join(dir, "cfgdir/cluster.yml");
	char *cache = path_join(dir, "cache"), *in_cache = path_join(dir, "cache/out");
	char *root = path_join(dir, "src"), *empty = path_join(dir, "empty");
	assert_int_equal(mkdir_p(victim, 0755, &e), 0);
	char *imp = path_join(dir, "victim/important");
	assert_int_equal(mkdir_p(imp, 0755, &e), 0);
	free(imp);
	put_file(thesis, "years of work");
	assert_int_equal(mkdir_p(cfg, 0755, &e), 0);
	put_file(yml, "nodes: []\n");
	assert_int_equal(mkdir_p(in_cache, 0755, &e), 0);
	assert_int_equal(mkdir_p(root, 0755, &e), 0);
	struct outdir_keep keep = { .input = yml, .root = root, .cache = cache };
	refused(victim, &keep, "not empty and not an earlier paddock output");
	assert_int_equal(access(thesis, F_OK), 0);
	refused(cfg, &keep, "the cluster file being built");
	refused(cache, &keep, "is paddock's cache");
	refused(in_cache, &keep, "paddock's cache (--cache)");
	struct outdir_keep only_cache = { .cache = cache };
	refused(dir, &only_cache, "/cache, paddock's cache");
	refused(root, &keep, "is the source tree");
	/* a cluster file inside an earlier output is not lost with it */
	char *marker = path_join(cfg, OUTDIR_MARKER);
	put_file(marker, OUTDIR_FORMAT "\n");
	refused(cfg, &keep, "the cluster file being built");
	/* a marker with another first line is not one */
	put_file(marker, "paddock-output 999\n");
	keep.input = NULL;
	refused(cfg, &keep, "not an earlier paddock output");
	put_file(marker, OUTDIR_FORMAT "\nanything\n");
	assert_int_equal(outdir_begin(&o, cfg, &keep, &e), 0);
	outdir_abort(&o);
	/* $HOME, and what holds it */
	char *home = path_join(dir, "home"), *user = path_join(dir, "home/user");
	char *saved = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	assert_int_equal(mkdir_p(user, 0755, &e), 0);
	setenv("HOME", user, 1);
	refused(user, NULL, "is your home directory");
	refused(home, NULL, ", your home directory");
	if (saved)
		setenv("HOME", saved, 1);
	free(saved);
	/* an empty directory is fine; so is a trailing slash and a new one */
	assert_int_equal(mkdir_p(empty, 0755, &e), 0);
	char *slash = NULL;
	assert_true(asprintf(&slash, "%s/", empty) > 0);
	assert_int_equal(outdir_begin(&o, slash, &keep, &e), 0);
	assert_int_equal(outdir_commit(&o, &e), 0);
	free(slash);
	assert_true(outdir_begin(&o, "/", &keep, &e) < 0);
	perr_clear(&e);
	char *names[] = { victim, thesis, cfg, yml, cache, in_cache, root, empty, marker, home, user };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		free(names[i]);
}

/* A temporary beside OUT named as another host's build would name it. */
static char *temporary(const char *name, long age)
{
	struct perr e = PERR_INIT;
	char *p = path_join(dir, name);
	assert_int_equal(mkdir_p(p, 0755, &e), 0);
	char *lock = path_join(p, TMPDIR_LOCK);
	put_file(lock, "");
	free(lock);
	struct timespec t[2] = { { time(NULL) - age, 0 }, { time(NULL) - age, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
	return p;
}

static void sweeps_only_abandoned_temporaries(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct outdir o;
	char *out = path_join(dir, "swept");
	long old = TMPDIR_STALE_SECONDS + 60;
	/* pid 999999999 runs nowhere here: on a shared cache it is another host's */
	char *young = temporary(".swept.tmp-999999999-young1", 5);
	char *held = temporary(".swept.tmp-999999999-held01", old);
	char *left = temporary(".swept.tmp-999999999-left01", old);
	char *nolock = temporary(".swept.tmp-999999999-nolock", 0);
	char *lock = path_join(nolock, TMPDIR_LOCK);
	unlink(lock);
	free(lock);
	struct timespec t[2] = { { time(NULL) - old, 0 }, { time(NULL) - old, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, nolock, t, 0), 0);
	/* another process holds the lock of one of the old ones */
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char *l = path_join(held, TMPDIR_LOCK);
		int fd = open(l, O_RDWR);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(outdir_begin(&o, out, NULL, &e), 0);
	outdir_abort(&o);
	assert_int_equal(access(young, F_OK), 0);
	assert_int_equal(access(held, F_OK), 0);
	assert_int_equal(access(left, F_OK), -1);
	assert_int_equal(access(nolock, F_OK), -1);
	/* once its holder is gone, an old one goes */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(outdir_begin(&o, out, NULL, &e), 0);
	outdir_abort(&o);
	assert_int_equal(access(held, F_OK), -1);
	assert_int_equal(access(young, F_OK), 0);
	close(ready[0]);
	close(ready[1]);
	rm_rf_quiet(young);
	char *names[] = { out, young, held, left, nolock };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		free(names[i]);
}

static void node_names_are_not_out_files(void **state)
{
	(void)state;
	const char *taken[] = { "base.img", "vmlinuz", "manifest.json", "SHA256SUMS", "tftp", "ipxe",
				"tftp.tmp", "ipxe.old", "ssh_config", "known_hosts", OUTDIR_MARKER };
	for (size_t i = 0; i < sizeof(taken) / sizeof(*taken); i++)
		assert_true(outdir_name_taken(taken[i]));
	assert_false(outdir_name_taken("n1"));
	assert_false(outdir_name_taken("tftp1"));
}

static void node_layer_holds_config_and_files(void **state)
{
	(void)state;
	struct nodecfg cfg = { 0 };
	struct layer l = { 0 };
	struct perr e = PERR_INIT;
	nodecfg_add(&cfg, "node.name", "n1");
	struct node_file key = { "/etc/paddock/pki/node.key", "SECRET", 6, 0600, 0, 0 };
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
	struct manifest_node n = { "n1", "a\"b\\c\x01" };
	struct manifest_input m = { .cluster = "c", .source = "/src/cluster.yml", .source_date_epoch = 5,
				    .base_key = "k", .base_info = &info, .lock = &lock, .nodes = &n, .n_nodes = 1,
				    .version_data = { "the version data in /x/data.json", "/x/data.json", h } };
	char sha[DIGEST_HEX_LEN + 1];
	size_t len = 0;
	assert_int_equal(manifest_write(dir, &m, &f, sha, &len, &e), 0);
	char *p = path_join(dir, "manifest.json"), *s = slurp(p);
	assert_int_equal(strlen(s), len);
	assert_non_null(strstr(s, "\"source\": \"cluster.yml\", \"source_date_epoch\": 5,\n"));
	/* the version data by its name and hash; the file by its name only */
	assert_non_null(strstr(s, "\"version_data\": { \"name\": \"the version data in /x/data.json\", "
				  "\"file\": \"data.json\", \"sha256\": \"cccc"));
	assert_non_null(strstr(s, "\"package\": null, "));
	assert_non_null(strstr(s, "\"size\": 7, \"uncompressed_size\": 0, "));
	assert_non_null(strstr(s, "\"cmdline\": \"a\\\"b\\\\c\\u0001\", "));
	/* only the node's own files, not those of its subdirectories */
	assert_non_null(strstr(s, "\"files\": [\n      { \"path\": \"n1/node.img\", "));
	assert_null(strstr(s, "n1/sub/x"));
	assert_non_null(strstr(s, "\"media\": [\n    { \"path\": \"tftp/pxelinux.cfg/default\", "));
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
	assert_string_equal(s, "console=tty0 console=ttyS1,115200 paddock.node=n1 panic=10 quiet loglevel=3");
	free(s);
	s = cmdline_format(NULL, "n2", "");
	assert_string_equal(s, "console=tty0 console=ttyS0,115200 paddock.node=n2 panic=10");
	free(s);
	assert_null(cmdline_format("ttyS0", NULL, NULL));
}

static void cmdline_console_and_panic_follow_the_file(void **state)
{
	(void)state;
	/* a console with its own speed keeps it */
	char *s = cmdline_format("ttyS1,9600", "n1", NULL);
	assert_string_equal(s, "console=tty0 console=ttyS1,9600 paddock.node=n1 panic=10");
	free(s);
	/* kernel_args with a console replace paddock's console arguments */
	s = cmdline_format("ttyS1", "n1", "quiet console=ttyS0,57600n8");
	assert_string_equal(s, "paddock.node=n1 panic=10 quiet console=ttyS0,57600n8");
	free(s);
	/* ... and with panic= paddock's panic= */
	s = cmdline_format(NULL, "n1", "panic=0");
	assert_string_equal(s, "console=tty0 console=ttyS0,115200 paddock.node=n1 panic=0");
	free(s);
	/* only whole arguments count */
	s = cmdline_format(NULL, "n1", "xconsole=1 nopanic=1");
	assert_string_equal(s, "console=tty0 console=ttyS0,115200 paddock.node=n1 panic=10 xconsole=1 nopanic=1");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(swaps_whole_directories),
		cmocka_unit_test(replaces_only_what_loses_nothing),
		cmocka_unit_test(node_names_are_not_out_files),
		cmocka_unit_test(sweeps_only_abandoned_temporaries),
		cmocka_unit_test(node_layer_holds_config_and_files),
		cmocka_unit_test(sums_are_sorted),
		cmocka_unit_test(manifest_lists_files_by_node_and_media),
		cmocka_unit_test(cmdline_has_console_and_node),
		cmocka_unit_test(cmdline_console_and_panic_follow_the_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
