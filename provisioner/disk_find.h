/* disk_find: the state disk's device at boot from the kernel's names
 * alone (the image has no udev): the block device that holds the ext2/3/4
 * file system of a label, and whether a device is a partition.
 *
 * sysdir is /sys/class/block and devdir /dev on a node; the unit tests
 * pass folders of image files. */
#ifndef PADDOCK_PROV_DISK_FIND_H
#define PADDOCK_PROV_DISK_FIND_H

#include <stdbool.h>

#define SYS_BLOCK "/sys/class/block"

/* "devdir/NAME" of the first block device (by name; ram and loop
 * devices left out) whose file system is labelled label (heap), or
 * NULL. */
char *disk_find_label(const char *sysdir, const char *devdir, const char *label);

/* Whether dev ("/dev/NAME") is a partition: sysdir/NAME/partition. */
bool disk_is_partition(const char *sysdir, const char *dev);

#endif
