/* diskspec: the state_disk values paddock takes and those it refuses,
 * with the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "diskspec.h"

static const char *why_not(const char *v)
{
	struct diskspec d;
	const char *why = NULL;

	if (diskspec_parse(v, &d, &why) == 0)
		return NULL;
	assert_non_null(why);
	return why;
}

static void disks_and_labels(void **state)
{
	(void)state;
	static const char *const disks[] = { "/dev/vda", "/dev/sda", "/dev/sdab", "/dev/xvdb", "/dev/nvme0n1",
					     "/dev/mmcblk0", "/dev/md0", "/dev/loop0", "/dev/hdc" };
	struct diskspec d;
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(disks) / sizeof(disks[0]); i++) {
		assert_int_equal(diskspec_parse(disks[i], &d, &why), 0);
		assert_int_equal(d.kind, DISKSPEC_DISK);
		assert_string_equal(d.arg, disks[i]);
	}
	assert_int_equal(diskspec_parse("LABEL=RANCHER_STATE", &d, &why), 0);
	assert_int_equal(d.kind, DISKSPEC_LABEL);
	assert_string_equal(d.arg, "RANCHER_STATE");
	assert_int_equal(diskspec_parse("LABEL=state-1.a", &d, &why), 0);
}

static void refused_with_the_reason(void **state)
{
	(void)state;
	static const char *const parts[] = { "/dev/sda1", "/dev/vda2", "/dev/xvda1", "/dev/nvme0n1p1",
					     "/dev/mmcblk0p2", "/dev/sdab12" };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		assert_non_null(strstr(why_not(parts[i]), "is a partition"));
	assert_non_null(strstr(why_not("/dev/disk/by-id/ata-X"), "udev"));
	assert_non_null(strstr(why_not("/dev/disk/by-uuid/1234"), "udev"));
	assert_non_null(strstr(why_not("/dev/mapper/vg-lv"), "kernel block device name"));
	assert_non_null(strstr(why_not("/dev/"), "kernel block device name"));
	assert_non_null(strstr(why_not("sda"), "not a block device path"));
	assert_non_null(strstr(why_not("UUID=1234"), "no udev"));
	assert_non_null(strstr(why_not("LABEL="), "1 to 16"));
	assert_non_null(strstr(why_not("LABEL=seventeen_chars_x"), "1 to 16"));
	assert_non_null(strstr(why_not("LABEL=a b"), "1 to 16"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disks_and_labels),
		cmocka_unit_test(refused_with_the_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
