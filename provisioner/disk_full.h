/* disk_full: a full state disk, said in one way wherever it shows: in a
 * failed snapshot's error (Docker creating its container, etcdctl writing
 * the file) or in etcd's own last lines when it exits. */
#ifndef PADDOCK_PROV_DISK_FULL_H
#define PADDOCK_PROV_DISK_FULL_H

#include <stdbool.h>

#define DISK_FULL_WORDS "no space left on the state disk"

/* Whether text says ENOSPC's words ("no space left on device"). */
bool disk_full_said(const char *text);

/* DISK_FULL_WORDS " (N MiB free in DIR)" when msg says ENOSPC's words,
 * without the temporary files and container IDs that came with them;
 * free_bytes < 0: unknown, not said.  NULL otherwise (msg says it well
 * enough) or out of memory. */
char *disk_full_reason(const char *msg, const char *dir, long long free_bytes);

#endif
