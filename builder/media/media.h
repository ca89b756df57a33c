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
#include <stdio.h>
#include <sys/types.h>

#include "perr.h"

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

/* Files written, relative to outdir, sorted; for the manifest. */
struct media_outputs {
	char **paths;
	size_t n, cap;
};

/* Writes the selected formats under outdir.  Output directories are 0700
 * (node layers carry private keys).  On failure *err names the step and
 * the node; files written so far stay. */
int media_emit(const struct media_input *in, const char *outdir, struct media_outputs *out,
	       struct perr *err);

void media_outputs_free(struct media_outputs *o);

/* Parses "iso,pxe,ipxe" (also "all"; "kernel" and "initrd" are accepted
 * and ignored, they are the image pipeline's) into *ret_formats. */
int media_parse_formats(const char *list, unsigned *ret_formats, struct perr *err);

/* The kernel arguments used on every medium: "console=tty0
 * console=<console>,<speed> " before cmdline unless cmdline already has a
 * console=.  Heap string or NULL. */
char *media_kernel_args(const struct media_input *in, const struct media_node *n);

/* Serial port number and speed of in->console ("ttyS1,9600" -> 1, 9600).
 * Returns -1 when the console is not a serial port. */
int media_serial_port(const struct media_input *in, unsigned *ret_speed);

/* For the format writers (iso.c, pxe.c, ipxe.c): */

/* Name of node i's kernel in the TFTP and HTTP trees: "vmlinuz" when it is
 * node 0's file, else "nodes/<name>.vmlinuz".  Heap string or NULL. */
char *media_kernel_file(const struct media_input *in, size_t i);

/* Appends a copy of path; -ENOMEM on failure.  out may be NULL. */
int media_outputs_add(struct media_outputs *out, const char *path);

/* Copies into dir the files a network boot fetches: vmlinuz (and other
 * nodes' kernels), base.img and nodes/<name>.img, and lists them in out
 * as prefix/<file>. */
int media_put_images(const struct media_input *in, const char *dir, const char *prefix,
		     struct media_outputs *out, struct perr *err);

/* Writes text to dir/rel (mode 0644) and lists prefix/rel in out. */
int media_put_text(const char *dir, const char *rel, const char *text, const char *prefix,
		   struct media_outputs *out, struct perr *err);

/* Copies src to dir/rel with mode and lists prefix/rel in out. */
int media_put_copy(const char *src, const char *dir, const char *rel, mode_t mode,
		   const char *prefix, struct media_outputs *out, struct perr *err);

/* Closes f, opened with open_memstream(bufp, ...); returns the text, or
 * NULL (and nothing left allocated) when it could not be written.
 * open_memstream() sets *bufp at fclose(), so it is read only after. */
char *media_text_finish(FILE *f, char **bufp);

/* Starts a tree that replaces outdir/name as a whole: an empty
 * outdir/name.tmp (0700) in *ret_tmp, outdir/name in *ret_dst. */
int media_tree_begin(const char *outdir, const char *name, char **ret_tmp, char **ret_dst,
		     struct perr *err);

/* Ends it: when r is 0, tmp replaces dst; otherwise tmp is removed.  Frees
 * both names; returns r or the error of the replacement. */
int media_tree_end(int r, char *tmp, char *dst, struct perr *err);

#endif
