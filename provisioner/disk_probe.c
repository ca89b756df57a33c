#include "disk_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provision.h"

/* the MBR's and a GPT's protective MBR's size; also the logical sector
 * size assumed for an MBR's LBAs on an image file */
#define SECTOR 512u
#define EXT_SB 1024u
#define EXT_MAGIC_OFF 56u
#define EXT_LABEL_OFF 120u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* pread of exactly len bytes; -EIO on a short read. */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		got += (size_t)n;
	}
	return 0;
}

int ext_label_at(int fd, uint64_t off, char label[17])
{
	unsigned char sb[256];

	if (read_at(fd, sb, sizeof(sb), off + EXT_SB) < 0)
		return -ENOENT;
	if (sb[EXT_MAGIC_OFF] != 0x53 || sb[EXT_MAGIC_OFF + 1] != 0xef)
		return -ENOENT;
	memcpy(label, sb + EXT_LABEL_OFF, 16);
	label[16] = '\0';
	return 0;
}

/* A file system at off: ours (1), another ext one (0, why set), none (-1). */
static int ext_at(int fd, uint64_t off, const char *where, struct disk_probe *out)
{
	char label[17];

	if (ext_label_at(fd, off, label) < 0)
		return -1;
	if (!strcmp(label, STATE_LABEL))
		return 1;
	if (*label)
		snprintf(out->why, sizeof(out->why), "an ext2/3/4 file system labelled '%s'%s", label, where);
	else
		snprintf(out->why, sizeof(out->why), "an ext2/3/4 file system without a label%s", where);
	return 0;
}

/* STATE_PART_TYPE as a GPT entry holds it (its first three fields
 * little-endian) */
static const unsigned char state_type[16] = { 0xd9, 0x83, 0x51, 0x08, 0x35, 0x59, 0xed, 0x4d,
					      0x8a, 0xb6, 0x93, 0x7c, 0x93, 0x28, 0xab, 0x92 };

/* Whether a GPT entry is paddock's partition: its type and name. */
static bool entry_ours(const unsigned char *e)
{
	static const char name[] = STATE_PART_NAME;

	if (memcmp(e, state_type, 16))
		return false;
	for (size_t i = 0; i < 36; i++) {
		unsigned ch = e[56 + 2 * i] | (unsigned)e[57 + 2 * i] << 8;
		if (ch != (i < sizeof(name) - 1 ? (unsigned char)name[i] : 0u))
			return false;
	}
	return true;
}

/* The first used entry of a GPT whose header is at LBA 1 of sector bytes:
 * its start (bytes; 0 when the table has none) and number; *ret_ours when
 * it is paddock's partition and the only one. */
static uint64_t gpt_first(int fd, const unsigned char *hdr, unsigned sector, unsigned *ret_n, bool *ret_ours)
{
	static const unsigned char zero[16];
	uint64_t lba = le64(hdr + 72), start = 0;
	uint32_t count = le32(hdr + 80), size = le32(hdr + 84);
	unsigned char e[128];

	*ret_ours = false;
	if (size < 128 || size > 4096 || count > 1024)
		return 0;
	for (uint32_t i = 0; i < count; i++) {
		if (read_at(fd, e, sizeof(e), lba * sector + (uint64_t)i * size) < 0)
			break;
		if (!memcmp(e, zero, 16))
			continue;
		if (start) {            /* a second partition */
			*ret_ours = false;
			break;
		}
		*ret_n = i + 1;
		start = le64(e + 32) * sector;
		*ret_ours = entry_ours(e);
	}
	return start;
}

/* Signatures of other things a disk may hold, for the message. */
static const char *known_signature(const unsigned char *b, size_t len)
{
	static const struct { size_t off; const char *magic; size_t n; const char *what; } sig[] = {
		{ 0, "LUKS\xba\xbe", 6, "a LUKS encrypted volume" },
		{ 0, "XFSB", 4, "an XFS file system" },
		{ 512, "LABELONE", 8, "an LVM physical volume" },
		{ 536, "LVM2 001", 8, "an LVM physical volume" },
		{ 4086, "SWAPSPACE2", 10, "a swap area" },
		{ 32769, "CD001", 5, "an ISO 9660 image" },
		{ 65600, "_BHRfS_M", 8, "a btrfs file system" },
		{ 3, "NTFS    ", 8, "an NTFS file system" },
		{ 54, "FAT", 3, "a FAT file system" },
		{ 82, "FAT32", 5, "a FAT file system" },
	};

	for (size_t i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
		if (sig[i].off + sig[i].n <= len && !memcmp(b + sig[i].off, sig[i].magic, sig[i].n))
			return sig[i].what;
	return NULL;
}

/* Offset of the first non-zero byte of b, or len. */
static size_t first_nonzero(const unsigned char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i])
			return i;
	return len;
}

/* The logical sector size of the GPT at the start of head (its header at
 * LBA 1), 0 when there is none: sector when known, else 512 or 4096 (an
 * image file of either kind of disk). */
static unsigned gpt_sector(const unsigned char *head, size_t hlen, unsigned sector)
{
	static const unsigned sizes[] = { 512, 4096 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned s = sector ? sector : sizes[i];
		if (hlen >= 2 * (size_t)s && !memcmp(head + s, "EFI PART", 8))
			return s;
		if (sector)
			break;
	}
	return 0;
}

/* Paddock's partition at start, without paddock's file system at its
 * start: a format cut short, to be finished, unless a backup superblock
 * of paddock's file system is there (its first superblock lost: e2fsck
 * repairs it) or it holds something else that is known. */
static void our_partition(int fd, uint64_t start, unsigned n, struct disk_probe *out)
{
	/* group 1's superblock with 1, 2 and 4 KiB blocks */
	static const uint64_t backup[] = { 8193ull * 1024, 16384ull * 2048, 32768ull * 4096 };
	const size_t len = 128 * 1024;
	unsigned char *b = malloc(len);
	const char *sig = NULL;
	char label[17];

	out->partition = n;
	for (size_t i = 0; i < sizeof(backup) / sizeof(backup[0]); i++)
		if (ext_label_at(fd, start + backup[i] - EXT_SB, label) == 0 && !strcmp(label, STATE_LABEL)) {
			out->kind = DISK_OURS;
			free(b);
			return;
		}
	if (!b || read_at(fd, b, len, start) < 0) {
		snprintf(out->why, sizeof(out->why), "paddock's GPT partition %u, unreadable", n);
		out->kind = DISK_FOREIGN;
	} else if ((sig = known_signature(b, len))) {
		snprintf(out->why, sizeof(out->why), "%s in paddock's GPT partition %u", sig, n);
		out->kind = DISK_FOREIGN;
	} else {
		out->kind = DISK_UNFINISHED;
	}
	free(b);
}

static int classify(int fd, unsigned sector, const unsigned char *head, size_t hlen, struct disk_probe *out)
{
	bool mbr = hlen >= SECTOR && head[510] == 0x55 && head[511] == 0xaa;
	const char *sig;
	unsigned n = 0;
	uint64_t start;
	unsigned gs;
	bool ours;
	int r;

	if ((r = ext_at(fd, 0, "", out)) >= 0) {
		out->kind = r ? DISK_OURS : DISK_FOREIGN;
		return 0;
	}
	if ((gs = gpt_sector(head, hlen, sector))) {
		start = gpt_first(fd, head + gs, gs, &n, &ours);
		if (start && (r = ext_at(fd, start, " in partition 1 of a GPT partition table", out)) == 1) {
			out->kind = DISK_OURS;
			out->partition = n;
			return 0;
		}
		if (start && ours && r < 0) {
			our_partition(fd, start, n, out);
			return 0;
		}
		if (r != 0)
			snprintf(out->why, sizeof(out->why), "a GPT partition table%s",
				 n ? "" : " without partitions");
		out->kind = DISK_FOREIGN;
		return 0;
	}
	if (mbr) {
		for (unsigned i = 0; i < 4; i++) {
			const unsigned char *e = head + 446 + 16 * i;
			if (!e[4])
				continue;
			start = (uint64_t)le32(e + 8) * (sector ? sector : SECTOR);
			if ((r = ext_at(fd, start, " in a partition of an MBR partition table", out)) == 1) {
				out->kind = DISK_OURS;
				out->partition = i + 1;
				return 0;
			}
			if (r < 0)
				snprintf(out->why, sizeof(out->why), "an MBR partition table");
			out->kind = DISK_FOREIGN;
			return 0;
		}
	}
	if ((sig = known_signature(head, hlen))) {
		snprintf(out->why, sizeof(out->why), "%s", sig);
		out->kind = DISK_FOREIGN;
		return 0;
	}
	size_t z = first_nonzero(head, hlen);
	if (z < hlen) {
		snprintf(out->why, sizeof(out->why), "data at byte %zu of its first MiB", z);
		out->kind = DISK_FOREIGN;
		return 0;
	}
	out->kind = DISK_BLANK;
	return 0;
}

int disk_probe_fd(int fd, uint64_t size, unsigned sector, struct disk_probe *out, struct perr *err)
{
	size_t hlen = size < PROBE_SPAN ? (size_t)size : PROBE_SPAN;
	unsigned char *head = malloc(hlen ? hlen : 1), *tail = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (!head)
		return perr_set(err, -ENOMEM, "out of memory");
	if ((r = read_at(fd, head, hlen, 0)) < 0) {
		free(head);
		return perr_set(err, r, "reading its first MiB: %s", strerror(-r));
	}
	classify(fd, sector, head, hlen, out);
	/* blank at the start: the end must be blank too (a backup GPT, an md
	 * superblock) */
	if (out->kind == DISK_BLANK && size > hlen) {
		size_t tlen = size - hlen < PROBE_SPAN ? (size_t)(size - hlen) : PROBE_SPAN;
		if (!(tail = malloc(tlen))) {
			free(head);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		if ((r = read_at(fd, tail, tlen, size - tlen)) < 0) {
			free(head);
			free(tail);
			return perr_set(err, r, "reading its last MiB: %s", strerror(-r));
		}
		size_t z = first_nonzero(tail, tlen);
		if (z < tlen) {
			out->kind = DISK_FOREIGN;
			snprintf(out->why, sizeof(out->why), "data at byte %llu (in its last MiB)",
				 (unsigned long long)(size - tlen + z));
		}
	}
	free(head);
	free(tail);
	return 0;
}

int disk_probe_path(const char *path, struct disk_probe *out, struct perr *err)
{
	struct stat st;
	uint64_t size = 0;
	int sector = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = perr_set(err, -errno, "%s: %s", path, strerror(errno));
	} else if (S_ISBLK(st.st_mode) ? ioctl(fd, BLKGETSIZE64, &size) < 0 : (size = (uint64_t)st.st_size, 0)) {
		r = perr_set(err, -errno, "%s: size: %s", path, strerror(errno));
	} else if (S_ISBLK(st.st_mode) && ioctl(fd, BLKSSZGET, &sector) < 0) {
		r = perr_set(err, -errno, "%s: logical sector size: %s", path, strerror(errno));
	} else if (size < 16 * PROBE_SPAN) {
		r = perr_set(err, -ENOSPC, "%s: %llu bytes is too small for a state disk", path,
			     (unsigned long long)size);
	} else if ((r = disk_probe_fd(fd, size, (unsigned)sector, out, err)) < 0) {
		perr_wrap(err, "%s", path);
	}
	close(fd);
	return r;
}

char *partition_path(const char *disk, unsigned n)
{
	size_t len = strlen(disk);
	char *p = NULL;
	bool digit = len && disk[len - 1] >= '0' && disk[len - 1] <= '9';

	if (asprintf(&p, "%s%s%u", disk, digit ? "p" : "", n) < 0)
		return NULL;
	return p;
}
