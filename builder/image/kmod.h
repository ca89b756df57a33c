/* kmod: the kernel modules an image keeps.
 *
 * Debian's kernel packages ship uncompressed .ko files and no modules.dep
 * (depmod runs at install time), so dependencies come from each module's
 * .modinfo "depends=" and the kept set gets fresh modules.dep and
 * modules.alias (depmod's text formats, read by busybox modprobe), plus the
 * package's modules.builtin.  Soft dependencies ("softdep=", e.g.
 * libcrc32c on crc32c) are kept as well: busybox modprobe ignores them,
 * but the kernel loads them through their aliases. */
#ifndef PADDOCK_KMOD_H
#define PADDOCK_KMOD_H

#include "image/layer.h"
#include "components/listfile.h"
#include "perr.h"

/* Reads the module list (lines "NAME [FLAVOUR...]": a line naming flavours
 * applies only to those), closes it over dependencies inside the unpacked
 * kernel package `tree` (component `pkg`) and adds the modules and the
 * generated files under /lib/modules/<version>/ to l.  A listed module the
 * kernel neither ships nor builds in is an error naming the list line.
 * *ret_version gets the kernel release, *ret_count the number of .ko kept. */
int kmod_select(const char *tree, const char *pkg, const struct listfile *list, const char *flavour,
		struct layer *l, char **ret_version, size_t *ret_count, struct perr *err);

/* Module name as the kernel spells it: '-' becomes '_'. */
void kmod_normalize(char *name);

#endif
