#include "diskspec.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define DIGITS "0123456789"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
/* ext2/3/4's s_volume_name */
#define LABEL_MAX 16

/* Whether a kernel block device name is a partition's: sda1, vdb2,
 * xvda1, hda1; nvme0n1p1, mmcblk0p2, loop0p1 (a digit, 'p', digits). */
static bool partition_name(const char *n)
{
	static const char *const letters_digits[] = { "sd", "vd", "xvd", "hd" };
	size_t len = strlen(n);

	for (size_t i = 0; i < sizeof(letters_digits) / sizeof(letters_digits[0]); i++) {
		size_t pl = strlen(letters_digits[i]);
		if (strncmp(n, letters_digits[i], pl))
			continue;
		const char *p = n + pl + strspn(n + pl, LOWER);
		if (p > n + pl && *p && p[strspn(p, DIGITS)] == '\0')
			return true;
	}
	const char *p = strrchr(n, 'p');
	return p && p > n && strchr(DIGITS, p[-1]) && p[1] && strspn(p + 1, DIGITS) == len - (size_t)(p + 1 - n);
}

static bool label_ok(const char *l)
{
	size_t len = strlen(l);

	return len > 0 && len <= LABEL_MAX &&
	       strspn(l, LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "._-") == len;
}

int diskspec_parse(const char *value, struct diskspec *ret, const char **ret_why)
{
	if (!strncmp(value, "LABEL=", 6)) {
		if (!label_ok(value + 6)) {
			*ret_why = "is not LABEL=NAME with an ext4 label of 1 to 16 letters, digits, '.', '_' or '-'";
			return -EINVAL;
		}
		*ret = (struct diskspec){ DISKSPEC_LABEL, value + 6 };
		return 0;
	}
	if (strncmp(value, "/dev/", 5)) {
		*ret_why = strchr(value, '=') ?
			"is not a block device path (/dev/NAME) nor LABEL=NAME: the image has no udev to "
			"resolve UUID= and the like" :
			"is not a block device path (/dev/NAME) nor LABEL=NAME";
		return -EINVAL;
	}
	const char *name = value + 5;
	if (!strncmp(name, "disk/", 5)) {
		*ret_why = "is a udev link, and paddock's image has no udev: name the disk (/dev/sda) or "
			   "its file system (LABEL=NAME)";
		return -EINVAL;
	}
	if (!*name || strchr(name, '/')) {
		*ret_why = "is not a kernel block device name (/dev/sda, /dev/vda, /dev/nvme0n1): "
			   "paddock's image makes no others";
		return -EINVAL;
	}
	if (partition_name(name)) {
		*ret_why = DISKSPEC_PARTITION_WHY;
		return -EINVAL;
	}
	*ret = (struct diskspec){ DISKSPEC_DISK, value };
	return 0;
}
