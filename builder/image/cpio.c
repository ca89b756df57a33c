/* cpio: a layer as a compressed newc archive. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "image/cpio.h"
#include "fsutil.h"

int compression_parse(const char *s, enum compression *out)
{
	static const char *const names[] = { "zstd", "gzip", "xz", "none" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum compression)i;
			return 0;
		}
	return -EINVAL;
}

const char *compression_name(enum compression c)
{
	static const char *const names[] = { "zstd", "gzip", "xz", "none" };
	return names[c];
}

#define OUTBUF (1u << 17)

struct sink {
	int fd;
	const char *name;
	enum compression c;
	ZSTD_CCtx *zs;
	z_stream gz;
	lzma_stream xz;
	int gz_init, xz_init;
	unsigned char *out;
	struct digest *d;
	uint64_t raw, written;
	int err;           /* first errno */
};

static int put(struct sink *s, const void *buf, size_t len)
{
	digest_update(s->d, buf, len);
	s->written += len;
	return fd_write_all(s->fd, buf, len);
}

/* Feeds raw bytes (or, with fin, finishes the stream). */
static int feed(struct sink *s, const void *buf, size_t len, int fin)
{
	int r = 0;
	s->raw += len;
	switch (s->c) {
	case COMPRESS_NONE:
		return put(s, buf, len);
	case COMPRESS_ZSTD: {
		ZSTD_inBuffer in = { buf, len, 0 };
		for (;;) {
			ZSTD_outBuffer o = { s->out, OUTBUF, 0 };
			size_t left = ZSTD_compressStream2(s->zs, &o, &in, fin ? ZSTD_e_end : ZSTD_e_continue);
			if (ZSTD_isError(left))
				return -EIO;
			if (o.pos && (r = put(s, s->out, o.pos)) < 0)
				return r;
			if (fin ? left == 0 : in.pos == in.size)
				return 0;
		}
	}
	case COMPRESS_GZIP:
		s->gz.next_in = (unsigned char *)buf;
		s->gz.avail_in = (uInt)len;
		for (;;) {
			s->gz.next_out = s->out;
			s->gz.avail_out = OUTBUF;
			int z = deflate(&s->gz, fin ? Z_FINISH : Z_NO_FLUSH);
			if (z == Z_STREAM_ERROR)
				return -EIO;
			size_t n = OUTBUF - s->gz.avail_out;
			if (n && (r = put(s, s->out, n)) < 0)
				return r;
			if (fin ? z == Z_STREAM_END : s->gz.avail_in == 0)
				return 0;
		}
	case COMPRESS_XZ:
		s->xz.next_in = buf;
		s->xz.avail_in = len;
		for (;;) {
			s->xz.next_out = s->out;
			s->xz.avail_out = OUTBUF;
			lzma_ret x = lzma_code(&s->xz, fin ? LZMA_FINISH : LZMA_RUN);
			if (x != LZMA_OK && x != LZMA_STREAM_END)
				return -EIO;
			size_t n = OUTBUF - s->xz.avail_out;
			if (n && (r = put(s, s->out, n)) < 0)
				return r;
			if (fin ? x == LZMA_STREAM_END : s->xz.avail_in == 0)
				return 0;
		}
	}
	return -EINVAL;
}

/* The kernel finds an uncompressed archive that follows only at a 4-byte
 * boundary, so every layer ends on one.  Zero padding would do for the
 * kernel but zstd and libarchive reject it; instead an empty frame (zstd)
 * or member (gzip) of the right length ends the stream.  xz streams and
 * newc archives are multiples of 4 by themselves. */
static int pad(struct sink *s)
{
	unsigned need = (unsigned)((4 - s->written % 4) % 4);
	unsigned char b[32];
	size_t n = 0;
	if (!need || s->c == COMPRESS_XZ || s->c == COMPRESS_NONE)
		return 0;
	if (s->c == COMPRESS_ZSTD) {
		/* magic, single segment, content size 0, k empty raw blocks, last
		 * empty raw block: 9 + 3k bytes; k = 0, 3, 2 give 1, 2, 3 mod 4 */
		static const unsigned k_for[4] = { 0, 0, 3, 2 };
		static const unsigned char head[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00 };
		memcpy(b, head, sizeof(head));
		n = sizeof(head);
		for (unsigned k = 0; k < k_for[need]; k++, n += 3)
			memset(b + n, 0, 3);
		b[n++] = 0x01;
		b[n++] = 0;
		b[n++] = 0;
	} else {
		/* header with an (empty or '_') file name, the only optional field
		 * the kernel's gunzip skips, an empty final block, zero CRC and
		 * size: 21 + name bytes */
		static const unsigned char head[] = { 0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0, 0x03 };
		memcpy(b, head, sizeof(head));
		n = sizeof(head);
		for (unsigned i = 0; i + 1 < need; i++)
			b[n++] = '_';
		b[n++] = 0;
		b[n++] = 0x03;
		b[n++] = 0x00;
		memset(b + n, 0, 8);
		n += 8;
	}
	return put(s, b, n);
}

static la_ssize_t on_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct sink *s = data;
	int r = feed(s, buf, len, 0);
	if (r < 0) {
		s->err = -r;
		archive_set_error(a, -r, "%s", strerror(-r));
		return -1;
	}
	return (la_ssize_t)len;
}

static int sink_init(struct sink *s, int threads)
{
	if (!(s->out = malloc(OUTBUF)) || !(s->d = digest_new()))
		return -ENOMEM;
	switch (s->c) {
	case COMPRESS_ZSTD:
		if (!(s->zs = ZSTD_createCCtx()))
			return -ENOMEM;
		ZSTD_CCtx_setParameter(s->zs, ZSTD_c_compressionLevel, 3);
		if (threads > 0)
			ZSTD_CCtx_setParameter(s->zs, ZSTD_c_nbWorkers, threads);
		return 0;
	case COMPRESS_GZIP:
		if (deflateInit2(&s->gz, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return -ENOMEM;
		s->gz_init = 1;
		return 0;
	case COMPRESS_XZ: {
		lzma_stream z = LZMA_STREAM_INIT;
		s->xz = z;
		if (lzma_easy_encoder(&s->xz, 6, LZMA_CHECK_CRC32) != LZMA_OK)
			return -ENOMEM;
		s->xz_init = 1;
		return 0;
	}
	default:
		return 0;
	}
}

static void sink_free(struct sink *s)
{
	if (s->zs)
		ZSTD_freeCCtx(s->zs);
	if (s->gz_init)
		deflateEnd(&s->gz);
	if (s->xz_init)
		lzma_end(&s->xz);
	free(s->out);
	digest_abort(s->d);
}

static int write_file_data(struct archive *a, const char *src, const char *path, int64_t size,
			   struct perr *err)
{
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return perr_set(err, -errno, "%s (for %s): %s", src, path, strerror(errno));
	char *buf = malloc(1 << 18);
	int r = 0;
	int64_t done = 0;
	if (!buf) {
		close(fd);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	while (done < size) {
		ssize_t n = read(fd, buf, 1 << 18);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = perr_set(err, n < 0 ? -errno : -EIO, "%s: %s", src,
				     n < 0 ? strerror(errno) : "file changed while reading");
			break;
		}
		if (n > size - done)
			n = (ssize_t)(size - done);
		if (archive_write_data(a, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
		done += n;
	}
	free(buf);
	close(fd);
	return r;
}

int cpio_write_fd(const struct layer *l, int fd, const char *name, enum compression c,
		  long long mtime, int threads, struct cpio_stats *st, struct perr *err)
{
	struct sink s = { .fd = fd, .name = name, .c = c };
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	int r = 0;
	if (sink_init(&s, threads) < 0 || !(a = archive_write_new()) || !(e = archive_entry_new())) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	archive_write_set_format_cpio_newc(a);
	archive_write_add_filter_none(a);
	archive_write_set_bytes_per_block(a, 0);
	if (archive_write_open(a, &s, NULL, on_write, NULL) != ARCHIVE_OK) {
		r = perr_set(err, -EIO, "%s: %s", name, archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct lent *x = &l->v[i];
		int64_t size = 0;
		archive_entry_clear(e);
		archive_entry_set_pathname(e, x->path + 1);
		archive_entry_set_uid(e, x->uid);
		archive_entry_set_gid(e, x->gid);
		archive_entry_set_mtime(e, mtime, 0);
		archive_entry_set_ino64(e, (int64_t)i + 1);
		archive_entry_set_nlink(e, x->type == LENT_DIR ? 2 : 1);
		switch (x->type) {
		case LENT_DIR:
			archive_entry_set_mode(e, AE_IFDIR | x->perm);
			break;
		case LENT_FILE: {
			struct stat sb;
			if (stat(x->src, &sb) < 0) {
				r = perr_set(err, -errno, "%s (for %s): %s", x->src, x->path, strerror(errno));
				goto out;
			}
			size = sb.st_size;
			archive_entry_set_mode(e, AE_IFREG | x->perm);
			break;
		}
		case LENT_BLOB:
			size = (int64_t)x->len;
			archive_entry_set_mode(e, AE_IFREG | x->perm);
			break;
		case LENT_LINK:
			archive_entry_set_mode(e, AE_IFLNK | 0777);
			archive_entry_set_symlink(e, x->target);
			break;
		case LENT_CHR:
			archive_entry_set_mode(e, AE_IFCHR | x->perm);
			archive_entry_set_rdevmajor(e, x->major);
			archive_entry_set_rdevminor(e, x->minor);
			break;
		}
		archive_entry_set_size(e, size);
		if (archive_write_header(a, e) != ARCHIVE_OK)
			goto aerr;
		if (x->type == LENT_FILE) {
			if ((r = write_file_data(a, x->src, x->path, size, err)) == -EIO)
				goto aerr;
			if (r < 0)
				goto out;
		} else if (x->type == LENT_BLOB && x->len &&
			   archive_write_data(a, x->data, x->len) != (la_ssize_t)x->len) {
			goto aerr;
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto aerr;
	if ((r = feed(&s, NULL, 0, 1)) < 0) {
		r = perr_set(err, r, "%s: %s", name, strerror(-r));
		goto out;
	}
	if ((r = pad(&s)) < 0) {
		r = perr_set(err, r, "%s: %s", name, strerror(-r));
		goto out;
	}
	if (st) {
		st->raw = s.raw;
		st->written = s.written;
		digest_final(s.d, st->sha256);
		s.d = NULL;
	}
	goto out;
aerr:
	r = s.err ? -s.err : -EIO;
	r = perr_set(err, r, "%s: %s", name, s.err ? strerror(s.err) : archive_error_string(a));
out:
	if (a)
		archive_write_free(a);
	if (e)
		archive_entry_free(e);
	sink_free(&s);
	return r;
}

int cpio_write(const struct layer *l, const char *path, mode_t mode, enum compression c, long long mtime,
	       int threads, struct cpio_stats *st, struct perr *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode), r = 0;
	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fchmod(fd, mode) < 0)
		r = perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (r == 0)
		r = cpio_write_fd(l, fd, path, c, mtime, threads, st, err);
	if (close(fd) < 0 && r >= 0)
		r = perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (r < 0)
		unlink(path);
	return r;
}
