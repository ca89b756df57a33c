/* pxe: the TFTP tree for pxelinux (BIOS PXE clients): pxelinux.0,
 * ldlinux.c32, kernel, base, node layers, pxelinux.cfg/01-<mac> per node
 * and a default that boots nothing. */
#ifndef PADDOCK_PXE_H
#define PADDOCK_PXE_H

#include <stddef.h>

#include "media/bootfiles.h"
#include "media/media.h"
#include "perr.h"
#include "strv.h"

/* "01-aa-bb-cc-dd-ee-ff" for "AA:BB:...": the file pxelinux looks for. */
char *pxe_config_name(const char *mac);

/* pxelinux.cfg/01-<mac> text for node i; heap string or NULL. */
char *pxe_node_config(const struct media_input *in, size_t i);

/* pxelinux.cfg/default: says the MAC is unknown and waits. */
char *pxe_default_config(const struct media_input *in);

/* Builds outdir/tftp (replacing an older one). */
int pxe_emit(const struct media_input *in, const struct bootfiles *bf, const char *outdir,
	     struct strv *out, struct perr *err);

#endif
