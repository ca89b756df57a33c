/* deb: reads Debian packages without dpkg: the ar container and its
 * data.tar.{xz,zst,gz,bz2,} member, with libarchive. */
#ifndef PADDOCK_DEB_H
#define PADDOCK_DEB_H

#include "perr.h"

/* Extracts the file system tree of the package at deb into the existing
 * directory dir.  Regular files, directories, symlinks and hard links are
 * kept with their modes (owners are not: the image sets them); device
 * nodes and fifos are skipped.  Names that would leave dir are refused, and
 * so are hard links to absolute names or to names with "..": a hard link
 * must point at a file the package extracted before it. */
int deb_extract(const char *deb, const char *dir, struct perr *err);

#endif
