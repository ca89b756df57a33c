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
#include "strv.h"

#define NEWC_HDR 110
#define NEWC_NAME_MAX 4096      /* the kernel refuses longer names (PATH_MAX) */
#define DATA_CHUNK (1u << 20)
#define MANIFEST_MAX (1u << 20)
#define LAYER_TAR_MAX (2048u << 20)
#define NEWC_ACCOUNTS_MAX (16u << 20)

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

static const char *const image_paths[IMAGE_NFILES] = { "/etc/passwd", "/etc/shadow" };

/* The data of the archive's current entry, at most max bytes, in a new
 * NUL-terminated buffer. */
static int entry_bytes(struct archive *a, struct archive_entry *e, size_t max, char **ret, size_t *ret_len,
		       struct perr *err)
{
	la_int64_t size = archive_entry_size(e);
	if (size < 0 || (uint64_t)size > max)
		return perr_set(err, -EFBIG, "%s: %lld bytes", archive_entry_pathname(e), (long long)size);
	char *buf = malloc((size_t)size + 1);
	size_t got = 0;
	if (!buf)
		return perr_set(err, -ENOMEM, "out of memory");
	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(a, buf + got, (size_t)size - got);
		if (n <= 0) {
			free(buf);
			return perr_set(err, -EPROTO, "%s: %s", archive_entry_pathname(e),
					n < 0 ? archive_error_string(a) : "cut short");
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	return 0;
}

/* One image before its files are known. */
struct pending {
	struct audit_image img;
	char **layers;
};

/* What one layer.tar holds of the files asked for; later entries win. */
struct layer_files {
	const char *name;
	char *file[IMAGE_NFILES];
	mode_t mode[IMAGE_NFILES];
};

static int layer_files_read(const char *tar, size_t len, struct layer_files *lf, struct perr *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0, h;
	if (!a)
		return perr_set(err, -ENOMEM, "out of memory");
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tar, len) != ARCHIVE_OK)
		r = perr_set(err, -EPROTO, "%s: %s", lf->name, archive_error_string(a));
	while (r >= 0 && (h = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char *p = archive_entry_pathname(e) ? audit_norm_path(archive_entry_pathname(e)) : NULL;
		for (int k = 0; p && k < IMAGE_NFILES && r >= 0; k++) {
			char *buf;
			size_t n;
			if (strcmp(p, image_paths[k]) || !S_ISREG(archive_entry_mode(e)))
				continue;
			if ((r = entry_bytes(a, e, NEWC_ACCOUNTS_MAX, &buf, &n, err)) >= 0) {
				free(lf->file[k]);
				lf->file[k] = buf;
				lf->mode[k] = archive_entry_mode(e);
			}
		}
		free(p);
	}
	if (r >= 0 && h != ARCHIVE_EOF)
		r = perr_set(err, -EPROTO, "%s: %s", lf->name, archive_error_string(a));
	archive_read_free(a);
	return r;
}

/* The images of manifest.json: one per RepoTag, with its Layers. */
static int manifest_images(const char *buf, size_t len, struct pending **ret, size_t *ret_n, struct perr *err)
{
	struct json *j = NULL;
	struct pending *v = NULL;
	size_t n = 0;
	int r = json_parse(buf, len, &j, err);
	for (const struct json *img = r >= 0 && j->type == JSON_ARR ? j->child : NULL; img && r >= 0; img = img->next) {
		const struct json *tags = json_get(img, "RepoTags"), *layers = json_get(img, "Layers");
		for (const struct json *t = tags && tags->type == JSON_ARR ? tags->child : NULL; t && r >= 0; t = t->next) {
			struct strv ls = STRV_INIT;
			for (const struct json *l = layers && layers->type == JSON_ARR ? layers->child : NULL; l; l = l->next)
				if (l->type == JSON_STR)
					strv_add(&ls, l->str);
			struct pending *nv = realloc(v, (n + 1) * sizeof(*nv));
			if (nv)
				v = nv;
			if (!nv || t->type != JSON_STR || !(v[n].img.tag = strdup(t->str))) {
				strv_clear(&ls);
				r = nv && t->type != JSON_STR ? perr_set(err, -EPROTO, "manifest.json: a tag is not a string")
							      : perr_set(err, -ENOMEM, "out of memory");
				break;
			}
			v[n].layers = strv_steal(&ls);
			memset(v[n].img.file, 0, sizeof(v[n].img.file));
			n++;
		}
	}
	json_free(j);
	*ret = v;
	*ret_n = n;
	return r;
}

static bool wanted_layer(const struct pending *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		for (char **l = p[i].layers; l && *l; l++)
			if (!strcmp(*l, name))
				return true;
	return false;
}

/* Calls fn for each entry of the tarball; fn may read the entry's data. */
static int each_entry(const void *tar, size_t len, int (*fn)(void *ctx, struct archive *a, struct archive_entry *e,
							    struct perr *err),
		      void *ctx, struct perr *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0, h = ARCHIVE_OK;
	if (!a)
		return perr_set(err, -ENOMEM, "out of memory");
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tar, len) != ARCHIVE_OK)
		r = perr_set(err, -EPROTO, "%s", archive_error_string(a));
	while (r == 0 && (h = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		r = fn(ctx, a, e, err);
	if (r == 0 && h != ARCHIVE_EOF)
		r = perr_set(err, -EPROTO, "%s", archive_error_string(a));
	archive_read_free(a);
	return r < 0 ? r : 0;
}

struct images_read {
	struct pending *p;
	size_t n;
	struct layer_files *lf;
	size_t nlf;
};

static int on_manifest(void *ctx, struct archive *a, struct archive_entry *e, struct perr *err)
{
	struct images_read *ir = ctx;
	const char *name = archive_entry_pathname(e);
	char *buf;
	size_t len;
	if (!name || strcmp(name, "manifest.json"))
		return 0;
	int r = entry_bytes(a, e, MANIFEST_MAX, &buf, &len, err);
	if (r < 0)
		return r;
	r = manifest_images(buf, len, &ir->p, &ir->n, err);
	free(buf);
	return r < 0 ? r : 1;
}

static int on_layer(void *ctx, struct archive *a, struct archive_entry *e, struct perr *err)
{
	struct images_read *ir = ctx;
	const char *name = archive_entry_pathname(e);
	char *buf;
	size_t len;
	if (!name || !wanted_layer(ir->p, ir->n, name))
		return 0;
	struct layer_files *v = realloc(ir->lf, (ir->nlf + 1) * sizeof(*v));
	if (!v)
		return perr_set(err, -ENOMEM, "out of memory");
	ir->lf = v;
	struct layer_files *lf = &v[ir->nlf];
	*lf = (struct layer_files){ .name = NULL };
	int r = entry_bytes(a, e, LAYER_TAR_MAX, &buf, &len, err);
	if (r < 0)
		return r;
	if (!(lf->name = strdup(name))) {
		free(buf);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	ir->nlf++;
	r = layer_files_read(buf, len, lf, err);
	free(buf);
	return r;
}

/* Each image's files: its layers' in order, the last one that has it. */
static int compose(struct images_read *ir, struct perr *err)
{
	for (size_t i = 0; i < ir->n; i++)
		for (char **l = ir->p[i].layers; l && *l; l++)
			for (size_t k = 0; k < ir->nlf; k++) {
				if (strcmp(ir->lf[k].name, *l))
					continue;
				for (int f = 0; f < IMAGE_NFILES; f++) {
					if (!ir->lf[k].file[f])
						continue;
					free(ir->p[i].img.file[f]);
					if (!(ir->p[i].img.file[f] = strdup(ir->lf[k].file[f])))
						return perr_set(err, -ENOMEM, "out of memory");
					ir->p[i].img.mode[f] = ir->lf[k].mode[f];
				}
			}
	return 0;
}

static void image_clear(struct audit_image *m)
{
	free(m->tag);
	for (int f = 0; f < IMAGE_NFILES; f++)
		free(m->file[f]);
}

void audit_images_free(struct audit_image *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		image_clear(&v[i]);
	free(v);
}

int audit_read_images(const void *tar, size_t len, struct audit_image **ret, size_t *ret_n, struct perr *err)
{
	struct images_read ir = { 0 };
	int r = each_entry(tar, len, on_manifest, &ir, err);
	if (r >= 0 && !ir.p)
		r = perr_set(err, -ENOENT, "no manifest.json");
	if (r >= 0)
		r = each_entry(tar, len, on_layer, &ir, err);
	if (r >= 0)
		r = compose(&ir, err);
	for (size_t k = 0; k < ir.nlf; k++) {
		free((char *)ir.lf[k].name);
		for (int f = 0; f < IMAGE_NFILES; f++)
			free(ir.lf[k].file[f]);
	}
	free(ir.lf);
	struct audit_image *imgs = calloc(ir.n ? ir.n : 1, sizeof(*imgs));
	for (size_t i = 0; i < ir.n; i++) {
		if (imgs)
			imgs[i] = ir.p[i].img;
		else
			image_clear(&ir.p[i].img);
		strv_free(ir.p[i].layers);
	}
	free(ir.p);
	if (r >= 0 && !imgs)
		r = perr_set(err, -ENOMEM, "out of memory");
	if (r < 0) {
		audit_images_free(imgs, imgs ? ir.n : 0);
		return r;
	}
	*ret = imgs;
	*ret_n = ir.n;
	return 0;
}
