/* cpio: writes a layer as a newc archive (libarchive), compressed for the
 * kernel's initramfs unpacker.  Reproducible: entries in layer order,
 * every mtime the given one, numeric owners from the layer, inode numbers
 * counted from 1, no timestamps or names in the compressed stream (zstd
 * frames have none; the gzip header's is zero; xz uses CRC32, which the
 * kernel requires). */
#ifndef PADDOCK_CPIO_H
#define PADDOCK_CPIO_H

#include <stdint.h>

#include "components/digest.h"
#include "image/layer.h"
#include "perr.h"

enum compression { COMPRESS_ZSTD, COMPRESS_GZIP, COMPRESS_XZ, COMPRESS_NONE };

int compression_parse(const char *s, enum compression *out);
const char *compression_name(enum compression c);

struct cpio_stats {
	uint64_t raw;      /* bytes of the uncompressed archive */
	uint64_t written;  /* bytes written to the file */
	char sha256[DIGEST_HEX_LEN + 1]; /* of the written file */
};

/* Writes l (sorted) to the open file descriptor fd.  threads > 0 lets zstd
 * use that many workers (its output does not depend on the number). */
int cpio_write_fd(const struct layer *l, int fd, const char *name, enum compression c,
		  long long mtime, int threads, struct cpio_stats *st, struct perr *err);

/* Same, creating path with exactly mode (the umask does not apply). */
int cpio_write(const struct layer *l, const char *path, mode_t mode, enum compression c, long long mtime,
	       int threads, struct cpio_stats *st, struct perr *err);

#endif
