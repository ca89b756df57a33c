/* disk_probe on disk image files: blank, paddock's own (whole disk, GPT
 * and MBR partition, made by the real mkfs.ext4 and sfdisk when the host
 * has them), and foreign data of several kinds, which must never count as
 * blank. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "disk_probe.h"
#include "fsutil.h"

#define IMG_SIZE (64ull << 20)

static char dir[] = "/tmp/paddock-probe-XXXXXX";

static char *image(const char *name)
{
	char *p = path_join(dir, name);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)IMG_SIZE), 0);
	close(fd);
	return p;
}

static void poke(const char *path, uint64_t off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static struct disk_probe probe(const char *path)
{
	struct perr err = PERR_INIT;
	struct disk_probe p;

	assert_int_equal(disk_probe_path(path, &p, &err), 0);
	perr_clear(&err);
	return p;
}

static int sh(const char *fmt, const char *arg)
{
	char *cmd = NULL;
	int r;

	assert_true(asprintf(&cmd, fmt, arg) > 0);
	r = system(cmd);
	free(cmd);
	return r;
}

static bool have(const char *tool)
{
	return sh("PATH=$PATH:/sbin:/usr/sbin command -v %s >/dev/null 2>&1", tool) == 0;
}

static void blank_is_blank(void **state)
{
	(void)state;
	char *p = image("blank.img");
	assert_int_equal(probe(p).kind, DISK_BLANK);
	free(p);
}

static void one_byte_anywhere_is_foreign(void **state)
{
	(void)state;
	char *p = image("byte.img");
	poke(p, 300000, "x", 1);
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_non_null(strstr(d.why, "data at byte 300000"));
	free(p);

	/* a backup GPT or an md superblock sits at the end */
	p = image("tail.img");
	poke(p, IMG_SIZE - 4096, "EFI PART", 8);
	d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_non_null(strstr(d.why, "last MiB"));
	free(p);
}

static void known_signatures_are_named(void **state)
{
	(void)state;
	char *p = image("luks.img");
	poke(p, 0, "LUKS\xba\xbe", 6);
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_string_equal(d.why, "a LUKS encrypted volume");
	free(p);

	p = image("lvm.img");
	poke(p, 512, "LABELONE", 8);
	d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_string_equal(d.why, "an LVM physical volume");
	free(p);
}

static void mbr_of_another_system_is_foreign(void **state)
{
	(void)state;
	unsigned char mbr[512] = { 0 };
	char *p = image("mbr.img");
	mbr[446 + 4] = 0x07; /* NTFS partition at LBA 2048 */
	mbr[446 + 8] = 0x00;
	mbr[446 + 9] = 0x08;
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	poke(p, 0, mbr, sizeof(mbr));
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_string_equal(d.why, "an MBR partition table");
	free(p);
}

static void whole_disk_ext4(void **state)
{
	(void)state;
	if (!have("mkfs.ext4"))
		skip();
	char *p = image("ours.img");
	assert_int_equal(sh("PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F -L PADDOCK_STATE %s", p), 0);
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_OURS);
	assert_int_equal(d.partition, 0);
	free(p);

	p = image("other.img");
	assert_int_equal(sh("PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F -L data %s", p), 0);
	d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_string_equal(d.why, "an ext2/3/4 file system labelled 'data'");
	free(p);
}

/* As the provisioner formats a blank disk: sfdisk's GPT, ext4 in it. */
static void gpt_partition_ours_and_not(void **state)
{
	(void)state;
	if (!have("sfdisk") || !have("mkfs.ext4"))
		skip();
	char *p = image("gpt.img"), *part = path_join(dir, "part.img");
	assert_int_equal(sh("printf 'label: gpt\\n,,L\\n' | PATH=$PATH:/sbin:/usr/sbin sfdisk -q %s >/dev/null", p), 0);
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_string_equal(d.why, "a GPT partition table");

	/* ext4 made apart, copied where sfdisk put partition 1 (1 MiB) */
	int fd = open(part, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 32 << 20), 0);
	close(fd);
	assert_int_equal(sh("PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F -L PADDOCK_STATE %s", part), 0);
	char *cmd = NULL;
	assert_true(asprintf(&cmd, "dd if=%s of=%s bs=1M seek=1 conv=notrunc status=none", part, p) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	d = probe(p);
	assert_int_equal(d.kind, DISK_OURS);
	assert_int_equal(d.partition, 1);
	free(p);
	free(part);
}

/* A GPT as a disk of sector-byte sectors holds it: protective MBR, header
 * at LBA 1, entries at LBA 2, one partition at 1 MiB of the given type
 * (16 bytes as on disk) and name (ASCII). */
static void put_gpt(const char *path, unsigned sector, const unsigned char type[16], const char *name)
{
	unsigned char mbr[512] = { 0 }, hdr[92] = { 0 }, e[128] = { 0 };
	uint64_t first = (1u << 20) / sector, last = IMG_SIZE / sector - 34;

	mbr[446 + 4] = 0xee;
	mbr[446 + 8] = 1;
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	poke(path, 0, mbr, sizeof(mbr));
	memcpy(hdr, "EFI PART", 8);
	hdr[72] = 2;            /* entries' LBA */
	hdr[80] = 128;          /* entry count */
	hdr[84] = 128;          /* entry size */
	poke(path, sector, hdr, sizeof(hdr));
	memcpy(e, type, 16);
	e[16] = 1;              /* unique GUID: anything not zero */
	for (int i = 0; i < 8; i++) {
		e[32 + i] = (unsigned char)(first >> (8 * i));
		e[40 + i] = (unsigned char)(last >> (8 * i));
	}
	for (size_t i = 0; name[i] && i < 36; i++)
		e[56 + 2 * i] = (unsigned char)name[i];
	poke(path, 2ull * sector, e, sizeof(e));
}

/* The part of an ext4 superblock disk_probe reads, at byte off. */
static void put_ext(const char *path, uint64_t off, const char *label)
{
	unsigned char sb[256] = { 0 };

	sb[56] = 0x53;
	sb[57] = 0xef;
	memcpy(sb + 120, label, strlen(label));
	poke(path, off + 1024, sb, sizeof(sb));
}

/* Linux file system data, as sfdisk's ",,L" types a partition */
static const unsigned char linux_fs[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
					   0x8e, 0x79, 0x3d, 0x69, 0x3d, 0x47, 0xde, 0x47 };

/* A 4Kn disk: its GPT header at byte 4096, its LBAs of 4096 bytes. */
static void gpt_on_4096_byte_sectors(void **state)
{
	(void)state;
	char *p = image("4kn.img");
	put_gpt(p, 4096, linux_fs, "");
	put_ext(p, 1 << 20, "PADDOCK_STATE");
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_OURS);
	assert_int_equal(d.partition, 1);
	free(p);

	/* and a block device's own sector size rules: 512 finds nothing at
	 * byte 512 but the protective MBR's partition */
	struct perr err = PERR_INIT;
	p = image("4kn-as-512.img");
	put_gpt(p, 4096, linux_fs, "");
	put_ext(p, 1 << 20, "PADDOCK_STATE");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(disk_probe_fd(fd, IMG_SIZE, 512, &d, &err), 0);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_int_equal(disk_probe_fd(fd, IMG_SIZE, 4096, &d, &err), 0);
	assert_int_equal(d.kind, DISK_OURS);
	close(fd);
	perr_clear(&err);
	free(p);

	/* 512-byte sectors still */
	p = image("512.img");
	put_gpt(p, 512, linux_fs, "");
	put_ext(p, 1 << 20, "PADDOCK_STATE");
	d = probe(p);
	assert_int_equal(d.kind, DISK_OURS);
	assert_int_equal(d.partition, 1);
	free(p);
}

/* STATE_PART_TYPE as on disk */
static const unsigned char paddock_type[16] = { 0xd9, 0x83, 0x51, 0x08, 0x35, 0x59, 0xed, 0x4d,
						0x8a, 0xb6, 0x93, 0x7c, 0x93, 0x28, 0xab, 0x92 };

/* Power lost after sfdisk, before mkfs.ext4 ended: paddock's partition,
 * nothing or half a file system in it, is finished; with the file system,
 * mounted. */
static void paddock_partition_without_fs_is_unfinished(void **state)
{
	(void)state;
	char *p = image("cut.img");
	put_gpt(p, 512, paddock_type, STATE_PART_NAME);
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_UNFINISHED);
	assert_int_equal(d.partition, 1);

	/* mkfs.ext4 wrote some of its tables, not yet the superblock */
	poke(p, (1 << 20) + 300000, "\x01\x02\x03", 3);
	d = probe(p);
	assert_int_equal(d.kind, DISK_UNFINISHED);

	put_ext(p, 1 << 20, "PADDOCK_STATE");
	d = probe(p);
	assert_int_equal(d.kind, DISK_OURS);
	assert_int_equal(d.partition, 1);
	free(p);

	/* on a 4Kn disk too */
	p = image("cut4k.img");
	put_gpt(p, 4096, paddock_type, STATE_PART_NAME);
	d = probe(p);
	assert_int_equal(d.kind, DISK_UNFINISHED);
	assert_int_equal(d.partition, 1);
	free(p);

	/* its first superblock lost, a backup left: e2fsck's to repair,
	 * never formatted again */
	p = image("backup.img");
	put_gpt(p, 512, paddock_type, STATE_PART_NAME);
	put_ext(p, (1 << 20) + 8193ull * 1024 - 1024, "PADDOCK_STATE");
	d = probe(p);
	assert_int_equal(d.kind, DISK_OURS);
	free(p);
}

/* What is not exactly paddock's partition stays foreign. */
static void not_quite_paddock_partition_is_foreign(void **state)
{
	(void)state;
	char *p = image("other-name.img");
	put_gpt(p, 512, paddock_type, "PADDOCK_STATE2");
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_string_equal(d.why, "a GPT partition table");
	free(p);

	p = image("other-type.img");
	put_gpt(p, 512, linux_fs, STATE_PART_NAME);
	d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	free(p);

	/* a second partition beside it */
	p = image("two.img");
	put_gpt(p, 512, paddock_type, STATE_PART_NAME);
	unsigned char e[128] = { 0 };
	memcpy(e, linux_fs, 16);
	e[16] = 2;
	e[33] = 0x10;           /* LBA 4096 */
	poke(p, 2 * 512 + 128, e, sizeof(e));
	d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	free(p);

	/* something else inside it */
	p = image("luks-in.img");
	put_gpt(p, 512, paddock_type, STATE_PART_NAME);
	poke(p, 1 << 20, "LUKS\xba\xbe", 6);
	d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	assert_string_equal(d.why, "a LUKS encrypted volume in paddock's GPT partition 1");
	free(p);

	p = image("ext-in.img");
	put_gpt(p, 512, paddock_type, STATE_PART_NAME);
	put_ext(p, 1 << 20, "data");
	d = probe(p);
	assert_int_equal(d.kind, DISK_FOREIGN);
	free(p);
}

/* sfdisk fed STATE_GPT_SCRIPT, as the provisioner does, makes what the
 * probe calls paddock's partition. */
static void sfdisk_makes_paddock_partition(void **state)
{
	(void)state;
	if (!have("sfdisk"))
		skip();
	char *p = image("sf.img"), *script = path_join(dir, "script"), *cmd = NULL;
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	fputs(STATE_GPT_SCRIPT, f);
	fclose(f);
	assert_true(asprintf(&cmd, "PATH=$PATH:/sbin:/usr/sbin sfdisk -q --wipe always %s <%s >/dev/null", p,
			     script) > 0);
	assert_int_equal(system(cmd), 0);
	struct disk_probe d = probe(p);
	assert_int_equal(d.kind, DISK_UNFINISHED);
	assert_int_equal(d.partition, 1);
	free(cmd);
	free(script);
	free(p);
}

static void partition_names(void **state)
{
	(void)state;
	char *a = partition_path("/dev/vda", 1), *b = partition_path("/dev/nvme0n1", 2);
	assert_string_equal(a, "/dev/vda1");
	assert_string_equal(b, "/dev/nvme0n1p2");
	free(a);
	free(b);
}

static void too_small_is_an_error(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	struct disk_probe d;
	char *p = path_join(dir, "small.img");
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	assert_true(disk_probe_path(p, &d, &err) < 0);
	assert_non_null(strstr(err.msg, "too small"));
	perr_clear(&err);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf_quiet(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blank_is_blank),
		cmocka_unit_test(one_byte_anywhere_is_foreign),
		cmocka_unit_test(known_signatures_are_named),
		cmocka_unit_test(mbr_of_another_system_is_foreign),
		cmocka_unit_test(whole_disk_ext4),
		cmocka_unit_test(gpt_partition_ours_and_not),
		cmocka_unit_test(gpt_on_4096_byte_sectors),
		cmocka_unit_test(paddock_partition_without_fs_is_unfinished),
		cmocka_unit_test(not_quite_paddock_partition_is_foreign),
		cmocka_unit_test(sfdisk_makes_paddock_partition),
		cmocka_unit_test(partition_names),
		cmocka_unit_test(too_small_is_an_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
