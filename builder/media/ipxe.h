/* ipxe: the HTTP tree for iPXE (BIOS and UEFI): boot.ipxe chains to
 * <mac-with-hyphens>.ipxe, one script per node loading the kernel, the
 * base and the node layer; a MAC without a script is told so and waits. */
#ifndef PADDOCK_IPXE_H
#define PADDOCK_IPXE_H

#include <stddef.h>

#include "media/media.h"
#include "perr.h"
#include "strv.h"

/* "aa-bb-cc-dd-ee-ff.ipxe", what ${net0/mac:hexhyp}.ipxe expands to. */
char *ipxe_script_name(const char *mac);

char *ipxe_boot_script(const struct media_input *in);
char *ipxe_node_script(const struct media_input *in, size_t i);

/* Builds outdir/ipxe (replacing an older one). */
int ipxe_emit(const struct media_input *in, const char *outdir, struct strv *out, struct perr *err);

#endif
