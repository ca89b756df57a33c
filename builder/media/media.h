/* media: boot media for built nodes — a hybrid ISO per node (isolinux for
 * BIOS, GRUB EFI for UEFI; boots as CD and as raw disk/USB stick), a TFTP
 * tree for pxelinux (BIOS only) and an HTTP tree for iPXE (BIOS and UEFI).
 *
 * Layout under outdir:
 *   <node>/<node>.iso
 *   tftp/{pxelinux.0,ldlinux.c32,vmlinuz,base.img,nodes/<node>.img}
 *   tftp/pxelinux.cfg/{default,01-<mac>}
 *   ipxe/{boot.ipxe,<mac-hyphens>.ipxe,vmlinuz,base.img,nodes/<node>.img}
 * A second distinct kernel file (nodes may differ) is put at
 * nodes/<node>.vmlinuz instead of vmlinuz. */
#ifndef PADDOCK_MEDIA_H
#define PADDOCK_MEDIA_H

#include <stddef.h>

#include "perr.h"
#include "strv.h"

enum media_format {
	MEDIA_ISO = 1u << 0,
	MEDIA_PXE = 1u << 1,
	MEDIA_IPXE = 1u << 2,
	MEDIA_ALL = MEDIA_ISO | MEDIA_PXE | MEDIA_IPXE,
};

struct media_node {
	const char *name;       /* [a-z0-9.-]; names the output directory */
	const char *mac;        /* "aa:bb:cc:dd:ee:ff" or NULL (no PXE/iPXE entry) */
	const char *cmdline;    /* kernel arguments; console= added if absent */
	const char *kernel;     /* vmlinuz path */
	const char *node_layer; /* the node's own initramfs layer (PXE, iPXE) */
	const char *initrd;     /* base + node layer in one file (ISO) */
};

struct media_input {
	const char *base;             /* shared base initramfs (PXE, iPXE) */
	const struct media_node *nodes;
	size_t n_nodes;
	unsigned formats;             /* enum media_format bits */
	const char *http_base;        /* iPXE: URL prefix, NULL = relative to the script */
	const char *console;          /* serial console, "ttyS0" or "ttyS1,9600"; NULL = ttyS0 */
	int menu_timeout;             /* seconds; 0 boots at once */
	const char *syslinux_dir;     /* NULL: Debian's places */
	const char *grub_dir;         /* NULL: /usr/lib/grub/x86_64-efi */
	long long source_date_epoch;  /* fixed time for every date in the media */
};

/* Writes the selected formats under outdir and adds the files written,
 * relative to outdir, to out (sorted), for the manifest.  Output
 * directories are 0700 (node layers carry private keys).  On failure *err
 * names the step and the node; files written so far stay. */
int media_emit(const struct media_input *in, const char *outdir, struct strv *out, struct perr *err);

/* Parses "iso,pxe,ipxe" (also "all"; "kernel" and "initrd" are accepted
 * and ignored, they are the image pipeline's) into *ret_formats. */
int media_parse_formats(const char *list, unsigned *ret_formats, struct perr *err);

#endif
