/* diskspec: what a node's state_disk value names, a whole disk
 * (/dev/NAME) or the ext2/3/4 file system labelled NAME (LABEL=NAME, as
 * RancherOS's rancher.state.dev=LABEL=RANCHER_STATE).
 *
 * What can never work on a paddock node is refused with the reason: by
 * the builder at validate, by the provisioner at boot.  The image has no
 * udev, so no /dev/disk/ links; a partition would get a GPT written inside
 * it, so the value names the disk (paddock partitions it) or an existing
 * file system by its label (never formatted). */
#ifndef PADDOCK_DISKSPEC_H
#define PADDOCK_DISKSPEC_H

enum diskspec_kind { DISKSPEC_DISK, DISKSPEC_LABEL };

struct diskspec {
	enum diskspec_kind kind;
	const char *arg;        /* DISK: the value; LABEL: the label (in the value) */
};

/* Why a partition is refused (also when the kernel, not the name, says
 * it is one). */
#define DISKSPEC_PARTITION_WHY "is a partition: paddock partitions a whole disk itself; name the disk " \
	"(/dev/sda), or an existing ext4 file system by its label (LABEL=NAME)"

/* 0 and *ret filled, or -EINVAL and *ret_why (static text, to follow the
 * quoted value). */
int diskspec_parse(const char *value, struct diskspec *ret, const char **ret_why);

#endif
