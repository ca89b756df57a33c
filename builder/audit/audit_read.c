/* audit_read: layers and docker-save tarballs read back with libarchive. */
#include "audit/audit_read.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"

#define NEWC_HDR 110
#define NEWC_NAME_MAX 4096      /* the kernel refuses longer names (PATH_MAX) */
#define DATA_CHUNK (1u << 20)
#define MANIFEST_MAX (1u << 20)

/* The uncompressed byte stream of a layer file. */
struct stream {
	struct archive *a;
	const char *path;
	unsigned long long off;
};

/* Reads up to n bytes: fewer only at the end of the stream. */
static ssize_t stream_read(struct stream *s, void *buf, size_t n, struct perr *err)
{
	size_t got = 0;
	while (got < n) {
		la_ssize_t r = archive_read_data(s->a, (char *)buf + got, n - got);
		if (r < 0)
			return perr_set(err, -EIO, "%s: %s", s->path, archive_error_string(s->a));
		if (r == 0)
			break;
		got += (size_t)r;
	}
	s->off += got;
	return (ssize_t)got;
}

static int stream_exact(struct stream *s, void *buf, size_t n, const char *what, struct perr *err)
{
	ssize_t r = stream_read(s, buf, n, err);
	if (r < 0)
		return (int)r;
	if ((size_t)r < n)
		return perr_set(err, -EPROTO, "%s: cut short in %s at offset %llu", s->path, what, s->off);
	return 0;
}

static int hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

char *audit_norm_path(const char *name)
{
	size_t n = strlen(name);
	char *out = malloc(n + 2), *w = out;
	if (!out)
		return NULL;
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* empty or "." component */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (w > out && *--w != '/')
				;
		} else {
			*w++ = '/';
			memcpy(w, p, len);
			w += len;
		}
		p += len;
		p += *p == '/';
	}
	if (w == out)
		*w++ = '/';
	*w = '\0';
	return out;
}

/* Hands an entry's data to the sink, or skips it; then the padding. */
static int entry_data(struct stream *s, const struct newc_sink *sink, bool want, uint64_t size, char *buf,
		      struct perr *err)
{
	int r = 0;
	while (size > 0 && r >= 0) {
		size_t n = size > DATA_CHUNK ? DATA_CHUNK : (size_t)size;
		if ((r = stream_exact(s, buf, n, "file data", err)) < 0)
			break;
		if (want)
			r = sink->data(sink->ctx, buf, n, err);
		size -= n;
	}
	if (r >= 0 && want)
		r = sink->data(sink->ctx, NULL, 0, err);
	size_t pad = (4 - s->off % 4) % 4;
	if (r >= 0 && pad)
		r = stream_exact(s, buf, pad, "padding", err);
	return r;
}

/* One entry whose header is in hdr; *trailer set at TRAILER!!!. */
static int read_entry(struct stream *s, const char *hdr, const struct newc_sink *sink, unsigned archive,
		      char *buf, bool *trailer, struct perr *err)
{
	uint32_t f[13];
	unsigned long long at = s->off - NEWC_HDR;
	if (memcmp(hdr, "07070", 5) || (hdr[5] != '1' && hdr[5] != '2'))
		return perr_set(err, -EPROTO, "%s: not a newc header at offset %llu", s->path, at);
	for (int i = 0; i < 13; i++)
		if (hex8(hdr + 6 + 8 * i, &f[i]) < 0)
			return perr_set(err, -EPROTO, "%s: bad newc header at offset %llu", s->path, at);
	/* ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check */
	uint32_t namesize = f[11];
	if (namesize == 0 || namesize > NEWC_NAME_MAX)
		return perr_set(err, -EPROTO, "%s: name of %u bytes at offset %llu", s->path, namesize, at);
	char name[NEWC_NAME_MAX + 4];
	size_t pad = (4 - (NEWC_HDR + namesize) % 4) % 4;
	int r = stream_exact(s, name, namesize + pad, "a name", err);
	if (r < 0)
		return r;
	if (name[namesize - 1] != '\0' || strlen(name) != namesize - 1)
		return perr_set(err, -EPROTO, "%s: name not terminated at offset %llu", s->path, at);
	if (!strcmp(name, "TRAILER!!!")) {
		*trailer = true;
		return entry_data(s, sink, false, f[6], buf, err);
	}
	char *path = audit_norm_path(name);
	if (!path)
		return perr_set(err, -ENOMEM, "out of memory");
	struct newc_entry e = { .path = path, .mode = f[1], .uid = f[2], .gid = f[3], .size = f[6],
				.nlink = f[4], .ino = f[0], .devmajor = f[7], .devminor = f[8],
				.archive = archive };
	r = sink->entry(sink->ctx, &e, err);
	free(path);
	if (r < 0)
		return r;
	return entry_data(s, sink, r > 0, e.size, buf, err);
}

static int read_stream(struct stream *s, const struct newc_sink *sink, struct perr *err)
{
	char hdr[NEWC_HDR];
	char *buf = malloc(DATA_CHUNK);
	unsigned archive = 0;
	int r = 0;
	if (!buf)
		return perr_set(err, -ENOMEM, "out of memory");
	for (;;) {
		/* between archives the kernel skips NUL bytes */
		ssize_t n = stream_read(s, hdr, 1, err);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		if (hdr[0] == '\0')
			continue;
		if ((s->off - 1) % 4) {
			r = perr_set(err, -EPROTO, "%s: archive starts unaligned at offset %llu", s->path,
				     s->off - 1);
			break;
		}
		if ((r = stream_exact(s, hdr + 1, NEWC_HDR - 1, "a header", err)) < 0)
			break;
		bool trailer = false;
		while (r >= 0 && !trailer) {
			r = read_entry(s, hdr, sink, archive, buf, &trailer, err);
			if (r >= 0 && !trailer)
				r = stream_exact(s, hdr, NEWC_HDR, "a header (no TRAILER!!!)", err);
		}
		if (r < 0)
			break;
		archive++;
	}
	free(buf);
	return r;
}

int audit_read_layer(const char *path, const struct newc_sink *sink, struct perr *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (st.st_size == 0)
		return 0;       /* an empty initramfs adds nothing */
	struct stream s = { archive_read_new(), path, 0 };
	struct archive_entry *e;
	int r = 0;
	if (!s.a)
		return perr_set(err, -ENOMEM, "out of memory");
	archive_read_support_filter_all(s.a);
	archive_read_support_format_raw(s.a);
	if (archive_read_open_filename(s.a, path, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(s.a, &e) != ARCHIVE_OK)
		r = perr_set(err, -EPROTO, "%s: %s", path, archive_error_string(s.a));
	else
		r = read_stream(&s, sink, err);
	archive_read_free(s.a);
	return r;
}

static int manifest_tags(const char *buf, size_t len, struct strv *tags, struct perr *err)
{
	struct json *j = NULL;
	int r = json_parse(buf, len, &j, err);
	if (r < 0)
		return r;
	for (const struct json *img = j->type == JSON_ARR ? j->child : NULL; img; img = img->next) {
		const struct json *rt = json_get(img, "RepoTags");
		for (const struct json *t = rt && rt->type == JSON_ARR ? rt->child : NULL; t; t = t->next)
			if (t->type == JSON_STR)
				strv_add(tags, t->str);
	}
	json_free(j);
	return tags->oom ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

int audit_read_image_tags(const void *tar, size_t len, struct strv *tags, struct perr *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0, h;
	if (!a)
		return perr_set(err, -ENOMEM, "out of memory");
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tar, len) != ARCHIVE_OK) {
		r = perr_set(err, -EPROTO, "%s", archive_error_string(a));
		goto out;
	}
	while ((h = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name || strcmp(name, "manifest.json"))
			continue;
		la_int64_t size = archive_entry_size(e);
		if (size < 0 || size > (la_int64_t)MANIFEST_MAX) {
			r = perr_set(err, -EFBIG, "manifest.json: %lld bytes", (long long)size);
			goto out;
		}
		char *buf = malloc((size_t)size + 1);
		if (!buf) {
			r = perr_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		la_ssize_t n = archive_read_data(a, buf, (size_t)size);
		r = n == size ? manifest_tags(buf, (size_t)n, tags, err)
			      : perr_set(err, -EPROTO, "manifest.json: %s", archive_error_string(a));
		free(buf);
		goto out;
	}
	if (h != ARCHIVE_EOF)
		r = perr_set(err, -EPROTO, "%s", archive_error_string(a));
	else
		r = perr_set(err, -ENOENT, "no manifest.json");
out:
	archive_read_free(a);
	return r;
}
