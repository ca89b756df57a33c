/* Unit tests for the boot media text (pxelinux, iPXE, isolinux, GRUB),
 * input checks, boot file lookup and the PXE/iPXE trees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/bootfiles.h"
#include "media/ipxe.h"
#include "media/iso.h"
#include "media/loader_config.h"
#include "media/media.h"
#include "plan/media_plan.h"
#include "fsutil.h"
#include "media/pxe.h"

static const struct media_node NODES[] = {
	{ .name = "node1", .mac = "52:54:00:00:02:01", .cmdline = "quiet paddock.x=1",
	  .kernel = "K", .node_layer = "L1", .initrd = "I1" },
	{ .name = "node2", .mac = "52:54:00:00:02:02", .cmdline = "console=ttyS1 it's",
	  .kernel = "K", .node_layer = "L2", .initrd = "I2" },
};

static struct media_input input(void)
{
	return (struct media_input){ .base = "B", .nodes = NODES, .n_nodes = 2, .formats = MEDIA_ALL,
				     .console = "ttyS0", .menu_timeout = 5, .source_date_epoch = 1700000000 };
}

#define assert_has(hay, needle) do { \
	if (!strstr((hay), (needle))) fail_msg("missing \"%s\" in:\n%s", (needle), (hay)); \
} while (0)
#define assert_hasnt(hay, needle) do { \
	if (strstr((hay), (needle))) fail_msg("unexpected \"%s\" in:\n%s", (needle), (hay)); \
} while (0)

static void test_formats(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	unsigned f = 0;
	assert_int_equal(media_parse_formats("iso,ipxe", &f, &err), 0);
	assert_int_equal(f, MEDIA_ISO | MEDIA_IPXE);
	assert_int_equal(media_parse_formats("kernel,initrd", &f, &err), 0);
	assert_int_equal(f, 0);
	assert_int_equal(media_parse_formats("all", &f, &err), 0);
	assert_int_equal(f, MEDIA_ALL);
	assert_int_equal(media_parse_formats("iso,floppy", &f, &err), -EINVAL);
	assert_has(err.msg, "floppy");
	perr_clear(&err);
}

static void test_kernel_args(void **state)
{
	(void)state;
	struct media_input in = input();
	char *a = media_kernel_args(&in, &NODES[0]);
	assert_string_equal(a, "console=tty0 console=ttyS0,115200 quiet paddock.x=1");
	free(a);
	a = media_kernel_args(&in, &NODES[1]); /* has its own console= */
	assert_string_equal(a, "console=ttyS1 it's");
	free(a);
	in.console = "ttyS1,9600";
	unsigned speed = 0;
	assert_int_equal(media_serial_port(&in, &speed), 1);
	assert_int_equal(speed, 9600);
	a = media_kernel_args(&in, &NODES[0]);
	assert_string_equal(a, "console=tty0 console=ttyS1,9600 quiet paddock.x=1");
	free(a);
	in.console = "tty0";
	assert_int_equal(media_serial_port(&in, NULL), -1);
}

static void test_pxe_text(void **state)
{
	(void)state;
	struct media_input in = input();
	char *name = pxe_config_name("52:54:00:AB:02:01");
	assert_string_equal(name, "01-52-54-00-ab-02-01");
	free(name);
	char *t = pxe_node_config(&in, 0);
	assert_has(t, "SERIAL 0 115200\n");
	assert_has(t, "DEFAULT node1\n");
	assert_has(t, "KERNEL vmlinuz\n");
	assert_has(t, "INITRD base.img,nodes/node1.img\n");
	assert_has(t, "APPEND console=tty0 console=ttyS0,115200 quiet paddock.x=1\n");
	assert_has(t, "IPAPPEND 2\n");
	free(t);
	t = pxe_default_config(&in);
	assert_has(t, "unknown MAC");
	assert_has(t, "TIMEOUT 0\n");
	assert_hasnt(t, "KERNEL");
	assert_hasnt(t, "INITRD");
	free(t);
}

static void test_ipxe_text(void **state)
{
	(void)state;
	struct media_input in = input();
	char *name = ipxe_script_name("52:54:00:AB:02:01");
	assert_string_equal(name, "52-54-00-ab-02-01.ipxe");
	free(name);
	char *t = ipxe_boot_script(&in);
	assert_has(t, "#!ipxe\n");
	assert_has(t, "chain ${net0/mac:hexhyp}.ipxe || goto unknown\n");
	assert_has(t, "unknown MAC ${net0/mac}");
	assert_hasnt(t, "exit");
	free(t);
	in.http_base = "http://10.0.0.1/paddock";
	t = ipxe_boot_script(&in);
	assert_has(t, "chain http://10.0.0.1/paddock/${net0/mac:hexhyp}.ipxe || goto unknown\n");
	free(t);
	t = ipxe_node_script(&in, 1);
	assert_has(t, "kernel --name vmlinuz http://10.0.0.1/paddock/vmlinuz initrd=base.img initrd=node.img "
		      "console=ttyS1 it's BOOTIF=01-${net0/mac:hexhyp} || goto failed\n");
	assert_has(t, "initrd --name base.img http://10.0.0.1/paddock/base.img || goto failed\n");
	assert_has(t, "initrd --name node.img http://10.0.0.1/paddock/nodes/node2.img || goto failed\n");
	assert_has(t, "boot || goto failed\n");
	free(t);
	in.http_base = "http://h/";
	t = ipxe_node_script(&in, 0);
	assert_has(t, " http://h/base.img ");
	free(t);
}

static void test_iso_text(void **state)
{
	(void)state;
	struct media_input in = input();
	char *t = iso_isolinux_config(&in, 0);
	assert_has(t, "SERIAL 0 115200\n");
	assert_has(t, "UI menu.c32\n");
	assert_has(t, "MENU TITLE paddock: node node1\n");
	assert_has(t, "TIMEOUT 50\n");
	assert_has(t, "KERNEL /boot/vmlinuz\n");
	assert_has(t, "INITRD /boot/initrd.img\n");
	free(t);
	in.menu_timeout = 0;
	t = iso_isolinux_config(&in, 0);
	assert_hasnt(t, "UI menu.c32");
	assert_has(t, "PROMPT 0\nTIMEOUT 0\n");
	free(t);
	in.menu_timeout = 3;
	t = iso_grub_config(&in, 1);
	assert_has(t, "serial --unit=0 --speed=115200\n");
	assert_has(t, "terminal_output console serial\n");
	assert_has(t, "set timeout=3\n");
	assert_has(t, "menuentry 'paddock node node2'");
	assert_has(t, "linux /boot/vmlinuz 'console=ttyS1' 'it'\\''s'\n");
	assert_has(t, "initrd /boot/initrd.img\n");
	free(t);
	t = iso_grub_early_config("/.disk/paddock/abc");
	assert_has(t, "search --no-floppy --set=root --file /.disk/paddock/abc\n");
	free(t);
	t = iso_volume_id("a-very-long-node-name.example.com");
	assert_string_equal(t, "PADDOCK_A_VERY_LONG_NODE_NAME_EX");
	free(t);
}

static void expect_bad(struct media_input *in, const char *what)
{
	struct perr err = PERR_INIT;
	assert_int_equal(media_emit(in, "/nonexistent/should-not-be-made", NULL, &err), -EINVAL);
	assert_has(err.msg, what);
	perr_clear(&err);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct media_node n[2] = { NODES[0], NODES[1] };
	struct media_input in = input();
	in.nodes = n;
	n[1].mac = "52:54:00:00:02";
	expect_bad(&in, "is not aa:bb:cc:dd:ee:ff");
	n[1].mac = NODES[0].mac;
	expect_bad(&in, "the same MAC");
	n[1] = NODES[1];
	n[1].name = "Node2";
	expect_bad(&in, "not a lower-case host name");
	n[1] = NODES[1];
	n[1].cmdline = "a=${x}";
	expect_bad(&in, "iPXE would expand");
	n[1].cmdline = "a\nb";
	expect_bad(&in, "control character");
	n[1] = NODES[1];
	in.menu_timeout = -1;
	expect_bad(&in, "menu timeout");
}

/* A scratch directory removed at the end. */
static char *scratch(void)
{
	char *d = strdup("/tmp/test_media.XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void test_bootfiles_missing(void **state)
{
	(void)state;
	char *d = scratch();
	struct bootfiles bf;
	struct perr err = PERR_INIT;
	assert_int_equal(bootfiles_find(MEDIA_PXE, d, NULL, &bf, &err), -ENOENT);
	assert_has(err.msg, "pxelinux.0 not found in --syslinux-dir");
	perr_clear(&err);
	assert_int_equal(bootfiles_find(MEDIA_ISO, d, NULL, &bf, &err), -ENOENT);
	assert_has(err.msg, "isolinux.bin");
	perr_clear(&err);
	assert_int_equal(bootfiles_find(MEDIA_ISO, NULL, d, &bf, &err) < 0, 1);
	if (check_file_readable("/usr/lib/ISOLINUX/isolinux.bin") == 0)
		assert_has(err.msg, "--grub-dir");
	perr_clear(&err);
	/* a syslinux tree laid out like the source: files under modules/bios */
	char *p = path_join(d, "modules/bios");
	assert_int_equal(mkdir_p(p, 0755, &err), 0);
	const char *names[] = { "pxelinux.0", "modules/bios/ldlinux.c32", "modules/bios/menu.c32",
				"modules/bios/libutil.c32", "modules/bios/libcom32.c32", NULL };
	for (int i = 0; names[i]; i++) {
		char *f = path_join(d, names[i]);
		assert_int_equal(write_file(f, "x", 1, 0644, &err), 0);
		free(f);
	}
	assert_int_equal(bootfiles_find(MEDIA_PXE, d, NULL, &bf, &err), 0);
	assert_has(bf.ldlinux_c32, "modules/bios/ldlinux.c32");
	bootfiles_free(&bf);
	free(p);
	rm_rf_quiet(d);
	free(d);
}

static char *put(const char *dir, const char *name, const char *text)
{
	struct perr err = PERR_INIT;
	char *p = path_join(dir, name);
	assert_int_equal(write_file(p, text, strlen(text), 0644, &err), 0);
	return p;
}

static mode_t mode_of(const char *dir, const char *rel)
{
	struct stat st;
	char *p = path_join(dir, rel);
	if (stat(p, &st) < 0)
		fail_msg("%s: %s", p, strerror(errno));
	free(p);
	return st.st_mode & 07777;
}

/* The PXE and iPXE trees, with stand-in boot files (no tools needed). */
static void test_trees(void **state)
{
	(void)state;
	char *d = scratch(), *sys = path_join(d, "syslinux"), *out = path_join(d, "out");
	struct perr err = PERR_INIT;
	assert_int_equal(mkdir_p(sys, 0755, &err), 0);
	free(put(sys, "pxelinux.0", "pxe"));
	free(put(sys, "ldlinux.c32", "ld"));
	free(put(sys, "menu.c32", "m"));
	free(put(sys, "libutil.c32", "u"));
	free(put(sys, "libcom32.c32", "c"));
	char *k = put(d, "vmlinuz", "kernel"), *k2 = put(d, "vmlinuz2", "kernel2"), *b = put(d, "base", "base");
	char *l1 = put(d, "l1", "layer1"), *l2 = put(d, "l2", "layer2");
	struct media_node n[3] = {
		{ .name = "node1", .mac = "52:54:00:00:02:01", .cmdline = "", .kernel = k, .node_layer = l1 },
		{ .name = "node2", .mac = "52:54:00:00:02:02", .cmdline = "", .kernel = k2, .node_layer = l2 },
		{ .name = "nomac", .mac = NULL, .cmdline = "", .kernel = k, .node_layer = l1 },
	};
	struct media_input in = input();
	in.nodes = n;
	in.n_nodes = 3;
	in.base = b;
	in.formats = MEDIA_PXE | MEDIA_IPXE;
	in.syslinux_dir = sys;
	struct strv o = STRV_INIT;
	for (int round = 0; round < 2; round++) { /* the second replaces the first */
		strv_clear(&o);
		if (media_emit(&in, out, &o, &err) < 0)
			fail_msg("media_emit: %s", err.msg);
	}
	const char *want[] = {
		"ipxe/52-54-00-00-02-01.ipxe", "ipxe/52-54-00-00-02-02.ipxe", "ipxe/base.img", "ipxe/boot.ipxe",
		"ipxe/nodes/node1.img", "ipxe/nodes/node2.img", "ipxe/nodes/node2.vmlinuz", "ipxe/nodes/nomac.img",
		"ipxe/vmlinuz", "tftp/base.img", "tftp/ldlinux.c32", "tftp/libcom32.c32", "tftp/libutil.c32",
		"tftp/menu.c32", "tftp/nodes/node1.img", "tftp/nodes/node2.img", "tftp/nodes/node2.vmlinuz",
		"tftp/nodes/nomac.img", "tftp/pxelinux.0", "tftp/pxelinux.cfg/01-52-54-00-00-02-01",
		"tftp/pxelinux.cfg/01-52-54-00-00-02-02", "tftp/pxelinux.cfg/default", "tftp/vmlinuz",
	};
	assert_int_equal(o.n, sizeof want / sizeof *want);
	for (size_t i = 0; i < o.n; i++)
		assert_string_equal(o.v[i], want[i]);
	assert_int_equal(mode_of(out, "tftp"), 0700);
	assert_int_equal(mode_of(out, "tftp/nodes/node1.img"), 0600);
	assert_int_equal(mode_of(out, "ipxe/nodes/node2.img"), 0600);
	assert_int_equal(mode_of(out, "ipxe/base.img"), 0644);
	/* base.img (already 0644) is linked, not copied; the 0644 layer is copied to 0600 */
	struct stat sb, st1, st2;
	char *t1 = path_join(out, "tftp/base.img"), *t2 = path_join(out, "ipxe/nodes/node1.img");
	assert_int_equal(stat(b, &sb), 0);
	assert_int_equal(stat(t1, &st1), 0);
	assert_int_equal(stat(t2, &st2), 0);
	assert_true(sb.st_ino == st1.st_ino);
	assert_int_equal(st2.st_nlink, 1);
	free(t1);
	free(t2);
	char *tmp = path_join(out, "tftp.old");
	assert_int_equal(access(tmp, F_OK), -1);
	free(tmp);
	char *cfg = path_join(out, "tftp/pxelinux.cfg/01-52-54-00-00-02-02");
	FILE *f = fopen(cfg, "r");
	char line[256];
	int seen = 0;
	while (f && fgets(line, sizeof line, f))
		seen |= !strcmp(line, "  KERNEL nodes/node2.vmlinuz\n");
	if (f)
		fclose(f);
	assert_true(seen);
	free(cfg);
	strv_clear(&o);
	rm_rf_quiet(d);
	free(k), free(k2), free(b), free(l1), free(l2), free(sys), free(out), free(d);
}

static struct plan *load_plan(const char *text)
{
	char path[] = "/tmp/test_media-plan-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct plan *p = NULL;
	struct perr err = PERR_INIT;
	if (plan_load(path, &p, NULL, &err) < 0)
		fail_msg("plan_load: %s", err.msg);
	unlink(path);
	return p;
}

#define CLUSTER_HEAD "cluster_name: t\nnodes:\n" \
	"  - address: 10.0.0.1\n    user: u\n    role: [etcd, controlplane, worker]\n"

/* Formats: --formats, else the cluster file's, else all. */
static void test_plan_formats(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	struct plan *p = load_plan(CLUSTER_HEAD "paddock:\n  formats: [kernel, pxe]\n");
	struct media_build_opts o = { 0 };
	unsigned f = 99;
	assert_int_equal(media_plan_formats(p, &o, &f, &err), 0);
	assert_int_equal(f, MEDIA_PXE);
	o.formats = "kernel,iso";
	assert_int_equal(media_plan_formats(p, &o, &f, &err), 0);
	assert_int_equal(f, MEDIA_ISO);
	o.formats = "kernel";
	assert_int_equal(media_plan_formats(p, &o, &f, &err), 0);
	assert_int_equal(f, 0);
	/* nothing to make: nothing done, not even a look for boot loaders */
	assert_int_equal(media_emit_plan(p, "/nonexistent", "/nonexistent", NULL, &o, NULL, &err), 0);
	plan_free(p);
	p = load_plan(CLUSTER_HEAD);
	o.formats = NULL;
	assert_int_equal(media_plan_formats(p, &o, &f, &err), 0);
	assert_int_equal(f, MEDIA_ALL);
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_kernel_args),
		cmocka_unit_test(test_pxe_text),
		cmocka_unit_test(test_ipxe_text),
		cmocka_unit_test(test_iso_text),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_bootfiles_missing),
		cmocka_unit_test(test_trees),
		cmocka_unit_test(test_plan_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
