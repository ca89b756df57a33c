/* disk_find on a fake /sys/class/block and /dev of image files: the
 * device of a label (LABEL=NAME at boot, and PADDOCK_STATE without a
 * state_disk), and partitions told from whole disks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "disk_find.h"
#include "fsutil.h"

static char dir[] = "/tmp/paddock-find-XXXXXX";
static char *sys, *dev;

/* A block device NAME: sys/NAME (with sys/NAME/partition when part),
 * dev/NAME an image of 4 MiB, with an ext superblock labelled label
 * unless NULL. */
static void device(const char *name, int part, const char *label)
{
	char *s = path_join(sys, name), *d = path_join(dev, name);
	int fd;

	assert_int_equal(mkdir(s, 0755), 0);
	if (part) {
		char *p = path_join(s, "partition");
		assert_true((fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0);
		close(fd);
		free(p);
	}
	assert_true((fd = open(d, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0);
	assert_int_equal(ftruncate(fd, 4 << 20), 0);
	if (label) {
		unsigned char sb[256] = { 0 };
		sb[56] = 0x53;
		sb[57] = 0xef;
		memcpy(sb + 120, label, strlen(label));
		assert_int_equal(pwrite(fd, sb, sizeof(sb), 1024), (ssize_t)sizeof(sb));
	}
	close(fd);
	free(s);
	free(d);
}

static void finds_the_label(void **state)
{
	(void)state;
	char *got = disk_find_label(sys, dev, "RANCHER_STATE");
	char *want = path_join(dev, "vdb1");
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(want);

	got = disk_find_label(sys, dev, "PADDOCK_STATE");
	want = path_join(dev, "vdc");
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* a loop device's label does not count; a missing one is NULL */
	assert_null(disk_find_label(sys, dev, "LOOPY"));
	assert_null(disk_find_label(sys, dev, "NOWHERE"));
	/* nor does a prefix */
	assert_null(disk_find_label(sys, dev, "RANCHER"));
}

static void tells_partitions(void **state)
{
	(void)state;
	assert_true(disk_is_partition(sys, "/dev/vdb1"));
	assert_false(disk_is_partition(sys, "/dev/vdb"));
	assert_false(disk_is_partition(sys, "/dev/vda"));
	/* a partition whose name does not say so */
	assert_true(disk_is_partition(sys, "/dev/md0p"));
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	sys = path_join(dir, "sys");
	dev = path_join(dir, "dev");
	if (mkdir(sys, 0755) < 0 || mkdir(dev, 0755) < 0)
		return -1;
	device("vda", 0, NULL);
	device("vdb", 0, NULL);
	device("vdb1", 1, "RANCHER_STATE");
	device("vdc", 0, "PADDOCK_STATE");
	device("loop0", 0, "LOOPY");
	device("md0p", 1, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf_quiet(dir);
	free(sys);
	free(dev);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_label),
		cmocka_unit_test(tells_partitions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
