/* bootfiles: finds the boot loader files and tools the media need, in
 * their Debian places or in directories given with --syslinux-dir and
 * --grub-dir, and says which Debian package to install when one is
 * missing. */
#ifndef PADDOCK_BOOTFILES_H
#define PADDOCK_BOOTFILES_H

#include "perr.h"

struct bootfiles {
	char *isolinux_bin;   /* isolinux */
	char *isohdpfx_bin;   /* isolinux: the hybrid MBR */
	char *ldlinux_c32;    /* syslinux-common: BIOS ldlinux of the same version */
	char *menu_c32, *libutil_c32, *libcom32_c32; /* syslinux-common: the ISO's menu */
	char *pxelinux_0;     /* pxelinux */
	char *grub_dir;       /* grub-efi-amd64-bin: the x86_64-efi module directory */
	char *grub_mkimage;   /* grub-common */
	char *xorriso;        /* xorriso */
	char *mformat, *mmd, *mcopy; /* mtools */
};

/* Finds what formats (enum media_format bits) need; the others stay NULL. */
int bootfiles_find(unsigned formats, const char *syslinux_dir, const char *grub_dir,
		   struct bootfiles *out, struct perr *err);

void bootfiles_free(struct bootfiles *b);

#endif
