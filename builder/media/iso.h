/* iso: one hybrid ISO per node.  BIOS boots isolinux (El Torito, and the
 * isohybrid MBR when the file is a disk); UEFI boots GRUB from a FAT
 * efiboot.img (El Torito EFI entry, and a GPT partition when the file is a
 * disk).  GRUB finds the ISO by a file named after the content's hash. */
#ifndef PADDOCK_ISO_H
#define PADDOCK_ISO_H

#include <stddef.h>

#include "media/bootfiles.h"
#include "media/media.h"
#include "perr.h"
#include "strv.h"

/* isolinux/isolinux.cfg for node i: serial + VGA, a menu naming the node,
 * in->menu_timeout (no menu at 0). */
char *iso_isolinux_config(const struct media_input *in, size_t i);

/* boot/grub/grub.cfg for node i, the same menu for UEFI. */
char *iso_grub_config(const struct media_input *in, size_t i);

/* The config built into BOOTX64.EFI: finds the medium holding id_file and
 * reads its grub.cfg. */
char *iso_grub_early_config(const char *id_file);

/* "PADDOCK_NODE1": the volume label, at most 32 ISO d-characters. */
char *iso_volume_id(const char *node);

/* Writes outdir/<node>/<node>.iso for node i. */
int iso_emit(const struct media_input *in, size_t i, const struct bootfiles *bf,
	     const char *outdir, struct strv *out, struct perr *err);

#endif
