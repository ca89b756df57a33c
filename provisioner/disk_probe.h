/* disk_probe: what a would-be state disk holds, read from its first and
 * last MiB: nothing (blank: paddock may format it), paddock's own ext4
 * file system labelled PADDOCK_STATE (on the whole disk or in its first
 * partition), paddock's GPT partition without that file system (a format
 * cut short: paddock finishes it), or anything else (foreign: never
 * formatted).
 *
 * Works on a block device or a disk image file alike, so the unit tests
 * probe files. */
#ifndef PADDOCK_PROV_DISK_PROBE_H
#define PADDOCK_PROV_DISK_PROBE_H

#include <stdint.h>
#include <sys/types.h>

#include "perr.h"

/* bytes read at each end of the disk */
#define PROBE_SPAN (1024 * 1024)

/* paddock's state partition, as sfdisk writes it before mkfs.ext4 runs:
 * the only partition of a GPT, of this type (a GUID made for paddock)
 * and this name.  A format cut short between the two is recognised by
 * them and finished on the next boot. */
#define STATE_PART_TYPE "085183D9-5935-4DED-8AB6-937C9328AB92"
#define STATE_PART_NAME "PADDOCK_STATE"
/* sfdisk's input for it */
#define STATE_GPT_SCRIPT "label: gpt\ntype=" STATE_PART_TYPE ", name=\"" STATE_PART_NAME "\"\n"

enum disk_kind { DISK_BLANK, DISK_OURS, DISK_UNFINISHED, DISK_FOREIGN };

struct disk_probe {
	enum disk_kind kind;
	unsigned partition;     /* DISK_OURS: 0 whole disk, else its partition number;
				 * DISK_UNFINISHED: paddock's partition's number */
	char why[200];          /* DISK_FOREIGN: what was found, for people */
};

/* Probes an open disk of size bytes whose logical sectors have sector
 * bytes (a GPT's LBAs count them); 0: not known (an image file), a GPT
 * is looked for at 512 and at 4096. */
int disk_probe_fd(int fd, uint64_t size, unsigned sector, struct disk_probe *out, struct perr *err);
/* Opens path read-only and probes it (a block device's sector size from
 * BLKSSZGET). */
int disk_probe_path(const char *path, struct disk_probe *out, struct perr *err);

/* The label of the ext2/3/4 file system whose start is at byte off of fd
 * (label[17], NUL-terminated); -ENOENT when there is none. */
int ext_label_at(int fd, uint64_t off, char label[17]);

/* "/dev/vda" 1 -> "/dev/vda1", "/dev/nvme0n1" 1 -> "/dev/nvme0n1p1"
 * (heap; NULL when out of memory). */
char *partition_path(const char *disk, unsigned n);

#endif
