/* busybox: the applet names a busybox binary carries, read from the
 * binary itself (for the `applets` directive of base.list). */
#ifndef PADDOCK_BUSYBOX_H
#define PADDOCK_BUSYBOX_H

#include "perr.h"
#include "strv.h"

/* Adds the applet names of the busybox binary at path to ret, in order. */
int busybox_applets(const char *path, struct strv *ret, struct perr *err);

#endif
