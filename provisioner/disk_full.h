/* disk_full: a full state disk, said in one way wherever it shows: in a
 * failed snapshot's error (Docker creating its container, etcdctl writing
 * the file) or in etcd's own last lines when it exits, or in the little
 * room left when what failed said nothing of it. */
#ifndef PADDOCK_PROV_DISK_FULL_H
#define PADDOCK_PROV_DISK_FULL_H

#include <stdbool.h>

#define DISK_FULL_WORDS "no space left on the state disk"
/* less room than this after a failure is a full disk, whatever the
 * failure said (on a full disk Docker cannot even keep a command's
 * output) */
#define DISK_FULL_ROOM (1LL << 20)

/* Bytes an unprivileged writer may still use on the file system of dir
 * (statvfs), -1 when unknown. */
long long disk_free_bytes(const char *dir);

/* Whether text says ENOSPC's words ("no space left on device"). */
bool disk_full_said(const char *text);

/* DISK_FULL_WORDS " (N MiB free in DIR)" when msg says ENOSPC's words,
 * without the temporary files and container IDs that came with them, or
 * when DIR has less than need_bytes free (a failure on a full disk says
 * little: Docker cannot even keep the failed command's output);
 * free_bytes < 0: unknown, not said.  NULL otherwise (msg says it well
 * enough) or out of memory. */
char *disk_full_reason(const char *msg, const char *dir, long long free_bytes, long long need_bytes);

#endif
