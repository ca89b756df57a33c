#include "state_disk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "console.h"
#include "disk_find.h"
#include "disk_probe.h"
#include "diskspec.h"
#include "fsutil.h"
#include "provision.h"

#define SFDISK "/sbin/sfdisk"
#define MKFS "/sbin/mkfs.ext4"
#define E2FSCK "/sbin/e2fsck"
#define DEVICE_WAIT_SECS 15.0
/* a /dev/vdX on a machine with no virtio block device: coldplug, before
 * this, bound every virtio device there is, so it will not come */
#define NO_VIRTIO_BLOCK_WAIT_SECS 1.0
#define VIRTIO_DEVICES "/sys/bus/virtio/devices"
#define VIRTIO_ID_BLOCK 2
#define MKFS_SECS 600
#define FSCK_SECS 1800

const struct state_dir state_dirs[] = {
	{ "system-docker", "/var/lib/system-docker", 0710 },
	{ "docker", "/var/lib/docker", 0710 },
	/* etcd's own folder: the provisioner gives it to etcd's uid:gid */
	{ "etcd", "/var/lib/etcd", 0700 },
	{ "kube-audit", "/var/log/kube-audit", 0700 },
	{ "etcd-snapshots", "/opt/rke/etcd-snapshots", 0700 },
};
const unsigned n_state_dirs = sizeof(state_dirs) / sizeof(state_dirs[0]);

static void status(const char *state, const char *dev, const char *detail)
{
	struct perr err = PERR_INIT;
	char *line = NULL;
	int n = asprintf(&line, "disk\t%s\t%s\t%s\n", state, dev ? dev : "-", detail);

	mkdir("/run/paddock", 0755);
	if (n > 0)
		write_file(STATE_DISK_STATUS, line, (size_t)n, 0644, &err);
	free(line);
	perr_clear(&err);
}

static bool wait_for(const char *path, double secs)
{
	double end = boot_seconds() + secs;
	struct stat st;

	while (stat(path, &st) < 0) {
		if (boot_seconds() >= end)
			return false;
		sleep_s(0.2);
	}
	return true;
}

/* Whether the machine has a virtio block device (virtio ID 2). */
static bool has_virtio_block(void)
{
	DIR *d = opendir(VIRTIO_DEVICES);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char *p = NULL;
		unsigned long id = 0;
		FILE *f;
		if (e->d_name[0] == '.' || asprintf(&p, VIRTIO_DEVICES "/%s/device", e->d_name) < 0)
			continue;
		if ((f = fopen(p, "re"))) {
			found = fscanf(f, "%lx", &id) == 1 && id == VIRTIO_ID_BLOCK;
			fclose(f);
		}
		free(p);
	}
	closedir(d);
	return found;
}

/* How long to wait for the named disk: a SATA, USB or NVMe disk may show
 * up seconds after its driver loaded; a virtio disk is there once
 * coldplug is done, so none is waited for on a machine without one. */
static double device_wait_secs(const char *dev)
{
	if (!strncmp(dev, "/dev/vd", 7) && !has_virtio_block())
		return NO_VIRTIO_BLOCK_WAIT_SECS;
	return DEVICE_WAIT_SECS;
}

/* ext4 labelled STATE_LABEL on part. */
static int make_fs(const char *part, struct perr *err)
{
	/* a blank disk: its journal need not be zeroed now, nor its blocks
	 * discarded (7 s of a first boot under TCG) */
	char *mk[] = { MKFS, "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard", "-L", STATE_LABEL,
		       (char *)part, NULL };
	int code = 0, r;

	if ((r = command_run(mk, NULL, MKFS_SECS, &code, err)) < 0)
		return r;
	if (code)
		return perr_set(err, -EIO, "mkfs.ext4 exited with %d", code);
	return 0;
}

/* One GPT partition over the whole disk, paddock's by its type and name
 * from this first write on (disk_probe.h), then ext4 on it; *ret_part is
 * the partition's device. */
static int format_disk(const char *disk, char **ret_part, struct perr *err)
{
	char *sf[] = { SFDISK, "--quiet", "--wipe", "always", (char *)disk, NULL };
	char *part = partition_path(disk, 1);
	int code = 0, r;

	if (!part)
		return perr_set(err, -ENOMEM, "out of memory");
	console_line("state disk %s is blank: partitioning and formatting it (ext4, %s)", disk, STATE_LABEL);
	if ((r = command_run(sf, STATE_GPT_SCRIPT, 120, &code, err)) < 0 ||
	    (code && (r = perr_set(err, -EIO, "sfdisk exited with %d", code)) < 0))
		goto fail;
	if (!wait_for(part, DEVICE_WAIT_SECS)) {
		r = perr_set(err, -ENOENT, "%s did not appear after partitioning", part);
		goto fail;
	}
	console_line("state disk %s: partition %s written; making its file system", disk, part);
	if ((r = make_fs(part, err)) < 0)
		goto fail;
	*ret_part = part;
	return 0;
fail:
	free(part);
	return r;
}

/* Paddock's partition n of disk without its file system: a first-boot
 * format cut short, finished now. */
static int finish_format(const char *disk, unsigned n, char **ret_part, struct perr *err)
{
	char *part = partition_path(disk, n);
	int r;

	if (!part)
		return perr_set(err, -ENOMEM, "out of memory");
	console_line("state disk %s: paddock's partition %s has no file system (a format cut short): "
		     "finishing the format (ext4, %s)", disk, part, STATE_LABEL);
	if (!wait_for(part, DEVICE_WAIT_SECS))
		r = perr_set(err, -ENOENT, "%s did not appear", part);
	else
		r = make_fs(part, err);
	if (r < 0) {
		free(part);
		return r;
	}
	*ret_part = part;
	return 0;
}

/* e2fsck -p: 0 when the file system may be mounted. */
static int check_fs(const char *dev, struct perr *err)
{
	char *fsck[] = { E2FSCK, "-p", (char *)dev, NULL };
	int code = 0, r = command_run(fsck, NULL, FSCK_SECS, &code, err);

	if (r < 0)
		return r;
	if (code & ~3)
		return perr_set(err, -EIO, "e2fsck -p %s exited with %d: errors left uncorrected; "
				"repair it by hand (e2fsck %s)", dev, code, dev);
	if (code)
		console_line("state disk %s: e2fsck corrected errors (exit %d)", dev, code);
	return 0;
}

/* Makes the folders; with on_disk, each one on the state disk bound over
 * its place. */
static int place_dirs(bool on_disk, struct perr *err)
{
	for (unsigned i = 0; i < n_state_dirs; i++) {
		const struct state_dir *s = &state_dirs[i];
		char *src = path_join(STATE_MOUNT, s->name);
		int r = 0;
		if (!src)
			return perr_set(err, -ENOMEM, "out of memory");
		if (mkdir_p(s->target, s->mode, err) < 0 || chmod(s->target, s->mode) < 0)
			r = err->msg ? -EIO : perr_set(err, -errno, "%s: %s", s->target, strerror(errno));
		else if (on_disk && (mkdir_p(src, s->mode, err) < 0 || chmod(src, s->mode) < 0))
			r = err->msg ? -EIO : perr_set(err, -errno, "%s: %s", src, strerror(errno));
		else if (on_disk && mount(src, s->target, NULL, MS_BIND, NULL) < 0)
			r = perr_set(err, -errno, "bind %s on %s: %s", src, s->target, strerror(errno));
		free(src);
		if (r < 0)
			return r;
	}
	return 0;
}

static int from_ram(const char *state, const char *dev, const char *why)
{
	struct perr err = PERR_INIT;
	int r;

	status(state, dev, why);
	if (!strcmp(state, "ram"))
		console_line("state disk: %s; running from RAM: nothing survives a reboot", why);
	else
		stage_failed("state-disk", "%s: %s; running from RAM: nothing survives a reboot", dev ? dev : "-", why);
	r = place_dirs(false, &err);
	if (r < 0)
		stage_failed("state-disk", "%s", err.msg);
	perr_clear(&err);
	return r < 0 ? 1 : 0;
}

/* How the state file system came to be mounted on this boot. */
enum how { HOW_MOUNTED, HOW_FORMATTED, HOW_FINISHED };

/* The checked file system labelled label (*ret_dev), or false with the
 * node going on from RAM (*code).  want: the node's LABEL= value (its disk
 * may show up late: waited for), or NULL (no state_disk: PADDOCK_STATE
 * where it is found). */
static bool by_label(const char *label, const char *want, char **ret_dev, int *code)
{
	struct perr err = PERR_INIT;
	double end = boot_seconds() + (want ? DEVICE_WAIT_SECS : 0);
	char *dev, *why = NULL;

	while (!(dev = disk_find_label(SYS_BLOCK, "/dev", label)) && boot_seconds() < end)
		sleep_s(0.5);
	if (!dev) {
		if (!want) {
			*code = from_ram("ram", NULL, "no boot.state_disk and no file system labelled " STATE_LABEL);
		} else {
			if (asprintf(&why, "no ext2/3/4 file system labelled %s here", label) < 0)
				why = NULL;
			*code = from_ram("failed", want, why ? why : "no file system of that label here");
		}
		free(why);
		return false;
	}
	if (check_fs(dev, &err) < 0) {
		*code = from_ram("failed", dev, err.msg);
		perr_clear(&err);
		free(dev);
		return false;
	}
	*ret_dev = dev;
	return true;
}

/* The whole disk named disk: formatted when blank, its format finished
 * when one was cut short, checked when it is paddock's; its file
 * system's device (*ret_dev) and what was done, or false with the node
 * going on from RAM (*code). */
static bool by_disk(const char *disk, char **ret_dev, enum how *ret_how, int *code)
{
	struct perr err = PERR_INIT;
	struct disk_probe p;
	char *dev = NULL, *why = NULL;
	enum how how = HOW_MOUNTED;
	int r = 0;

	if (!wait_for(disk, device_wait_secs(disk))) {
		*code = from_ram("failed", disk, "boot.state_disk names no device here");
		return false;
	}
	/* what its name does not tell (validate refuses the usual names) */
	if (disk_is_partition(SYS_BLOCK, disk)) {
		*code = from_ram("failed", disk, DISKSPEC_PARTITION_WHY);
		return false;
	}
	if (disk_probe_path(disk, &p, &err) < 0) {
		*code = from_ram("failed", disk, err.msg);
		perr_clear(&err);
		return false;
	}
	switch (p.kind) {
	case DISK_FOREIGN:
		if (asprintf(&why, "holds %s: not formatted (paddock formats blank disks only)", p.why) < 0)
			why = NULL;
		*code = from_ram("foreign", disk, why ? why : "holds foreign data");
		free(why);
		return false;
	case DISK_BLANK:
		r = format_disk(disk, &dev, &err);
		how = HOW_FORMATTED;
		break;
	case DISK_UNFINISHED:
		r = finish_format(disk, p.partition, &dev, &err);
		how = HOW_FINISHED;
		break;
	case DISK_OURS:
		if (!(dev = p.partition ? partition_path(disk, p.partition) : strdup(disk)))
			r = perr_set(&err, -ENOMEM, "out of memory");
		else if (!wait_for(dev, DEVICE_WAIT_SECS))
			r = perr_set(&err, -ENOENT, "its partition did not appear");
		else
			r = check_fs(dev, &err);
		break;
	}
	if (r < 0) {
		*code = from_ram("failed", dev ? dev : disk, err.msg);
		perr_clear(&err);
		free(dev);
		return false;
	}
	*ret_dev = dev;
	*ret_how = how;
	return true;
}

int state_disk_run(const struct nodecfg *cfg)
{
	static const char *const detail[] = {
		[HOW_MOUNTED] = "paddock's state file system",
		[HOW_FORMATTED] = "blank disk formatted on this boot",
		[HOW_FINISHED] = "a format cut short finished on this boot",
	};
	static const char *const line[] = {
		[HOW_MOUNTED] = "",
		[HOW_FORMATTED] = " (formatted on this boot)",
		[HOW_FINISHED] = " (its format, cut short before, finished on this boot)",
	};
	struct perr err = PERR_INIT;
	const char *want = nodecfg_get(cfg, "boot.state_disk"), *bad = NULL;
	struct diskspec ds = { DISKSPEC_LABEL, STATE_LABEL };
	char *dev = NULL, *why = NULL;
	enum how how = HOW_MOUNTED;
	int code = 0;

	if (want && !*want)
		want = NULL;
	if (want && diskspec_parse(want, &ds, &bad) < 0) {
		if (asprintf(&why, "`%s` %s", want, bad) < 0)
			why = NULL;
		code = from_ram("failed", want, why ? why : bad);
		goto out;
	}
	if (ds.kind == DISKSPEC_LABEL ? !by_label(ds.arg, want, &dev, &code) : !by_disk(want, &dev, &how, &code))
		goto out;
	if (mkdir_p(STATE_MOUNT, 0755, &err) < 0 ||
	    (mount(dev, STATE_MOUNT, "ext4", MS_NOATIME, NULL) < 0 &&
	     perr_set(&err, -errno, "mount on %s: %s", STATE_MOUNT, strerror(errno)) < 0) ||
	    place_dirs(true, &err) < 0) {
		umount2(STATE_MOUNT, MNT_DETACH);
		code = from_ram("failed", dev, err.msg);
		goto out;
	}
	if (want && ds.kind == DISKSPEC_LABEL && asprintf(&why, "the file system labelled %s", ds.arg) < 0)
		why = NULL;
	status(how == HOW_MOUNTED ? "mounted" : "formatted", dev, why ? why : detail[how]);
	stage_ok_as("state-disk", how == HOW_MOUNTED ? "state disk mounted" : "state disk formatted and mounted");
	console_line("state disk %s on %s%s", dev, STATE_MOUNT, line[how]);
out:
	free(dev);
	free(why);
	perr_clear(&err);
	return code;
}
