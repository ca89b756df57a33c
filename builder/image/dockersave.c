#include "image/dockersave.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "strbuf.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct dsave_entry *)a)->path, ((const struct dsave_entry *)b)->path);
}

static la_ssize_t mem_write(struct archive *a, void *ud, const void *buf, size_t len)
{
	struct strbuf *sb = ud;

	sb_add(sb, buf, len);
	if (sb->err) {
		archive_set_error(a, ENOMEM, "out of memory");
		return -1;
	}
	return (la_ssize_t)len;
}

static int sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -EIO;
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static struct archive_entry *new_entry(const char *name, mode_t type, mode_t perm, unsigned uid,
				       unsigned gid, long long mtime)
{
	struct archive_entry *e = archive_entry_new();

	if (!e)
		return NULL;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, gid);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	return e;
}

static int ar_fail(struct archive *a, const char *what, struct perr *err)
{
	return perr_set(err, -EIO, "%s: %s", what, archive_error_string(a) ? archive_error_string(a) : "archive error");
}

/* Copies a host file into the archive, checking it did not change size. */
static int add_file_data(struct archive *a, const struct dsave_entry *en, struct archive_entry *e,
			 struct perr *err)
{
	int fd = open(en->src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char buf[65536];
	off_t done = 0;
	int r = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		r = perr_set(err, -errno, "%s: %s", en->src, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	archive_entry_set_size(e, st.st_size);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		close(fd);
		return ar_fail(a, en->path, err);
	}
	while (done < st.st_size) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			r = perr_set(err, n < 0 ? -errno : -EIO, "%s: %s", en->src, n < 0 ? strerror(errno) : "file shrank");
			break;
		}
		if (n > st.st_size - done)
			n = (ssize_t)(st.st_size - done);
		if (archive_write_data(a, buf, (size_t)n) != n) {
			r = ar_fail(a, en->path, err);
			break;
		}
		done += n;
	}
	close(fd);
	return r;
}

/* The layer tar of one image, in memory. */
static int write_layer(const struct dsave_image *img, long long mtime, struct strbuf *out, struct perr *err)
{
	struct dsave_entry *sorted;
	struct archive *a = archive_write_new();
	int r = 0;

	sorted = malloc((img->n ? img->n : 1) * sizeof(*sorted));
	if (!a || !sorted) {
		archive_write_free(a);
		free(sorted);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	if (img->n)
		memcpy(sorted, img->entries, img->n * sizeof(*sorted));
	qsort(sorted, img->n, sizeof(*sorted), cmp_entry);
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_per_block(a, 512);
	if (archive_write_open2(a, out, NULL, mem_write, NULL, NULL) != ARCHIVE_OK) {
		r = ar_fail(a, img->tag, err);
		goto out;
	}
	for (size_t i = 0; r == 0 && i < img->n; i++) {
		const struct dsave_entry *en = &sorted[i];
		static const mode_t types[] = { AE_IFDIR, AE_IFREG, AE_IFREG, AE_IFLNK };
		struct archive_entry *e;
		const char *name = en->path;

		while (*name == '/')
			name++;
		if (!*name)
			continue; /* the root itself */
		if (i && !strcmp(en->path, sorted[i - 1].path)) {
			r = perr_set(err, -EEXIST, "%s: %s listed twice", img->tag, en->path);
			break;
		}
		e = new_entry(name, types[en->type], en->perm, en->uid, en->gid, mtime);
		if (!e) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		if (en->type == DSAVE_FILE) {
			r = add_file_data(a, en, e, err);
		} else {
			if (en->type == DSAVE_LINK)
				archive_entry_set_symlink(e, en->target);
			archive_entry_set_size(e, en->type == DSAVE_BLOB ? (la_int64_t)en->len : 0);
			if (archive_write_header(a, e) != ARCHIVE_OK)
				r = ar_fail(a, en->path, err);
			else if (en->type == DSAVE_BLOB && en->len &&
				 archive_write_data(a, en->data, en->len) != (la_ssize_t)en->len)
				r = ar_fail(a, en->path, err);
		}
		archive_entry_free(e);
	}
	if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
		r = ar_fail(a, img->tag, err);
out:
	archive_write_free(a);
	free(sorted);
	return r;
}

static void json_list(struct strbuf *sb, const char *key, char *const *v)
{
	if (!v)
		return;
	sb_printf(sb, ",\"%s\":", key);
	sb_json_strv(sb, v);
}

static char *config_json(const struct dsave_image *img, const char *diff, long long mtime)
{
	struct strbuf sb = STRBUF_INIT;
	char created[32];
	time_t t = (time_t)mtime;
	struct tm tm;
	static char *const default_env[] = { DEFAULT_PATH, NULL };

	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sb_adds(&sb, "{\"architecture\":\"amd64\",\"config\":{\"Env\":[");
	for (char *const *e = img->env ? img->env : default_env; *e; e++) {
		if (e != (img->env ? img->env : default_env))
			sb_add(&sb, ",", 1);
		sb_json_str(&sb, *e);
	}
	sb_add(&sb, "]", 1);
	json_list(&sb, "Entrypoint", img->entrypoint);
	json_list(&sb, "Cmd", img->cmd);
	if (img->user && *img->user) {
		sb_adds(&sb, ",\"User\":");
		sb_json_str(&sb, img->user);
	}
	if (img->workdir && *img->workdir) {
		sb_adds(&sb, ",\"WorkingDir\":");
		sb_json_str(&sb, img->workdir);
	}
	sb_printf(&sb, "},\"created\":\"%s\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]}}",
		  created, diff);
	return sb_steal(&sb);
}

static int put(struct archive *a, const char *name, const void *data, size_t len, long long mtime,
	       struct perr *err)
{
	struct archive_entry *e = new_entry(name, AE_IFREG, 0644, 0, 0, mtime);
	int r = 0;

	if (!e)
		return perr_set(err, -ENOMEM, "out of memory");
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(a, data, len) != (la_ssize_t)len))
		r = ar_fail(a, name, err);
	archive_entry_free(e);
	return r;
}

static int put_dir(struct archive *a, const char *name, long long mtime, struct perr *err)
{
	struct archive_entry *e = new_entry(name, AE_IFDIR, 0755, 0, 0, mtime);
	int r = 0;

	if (!e)
		return perr_set(err, -ENOMEM, "out of memory");
	if (archive_write_header(a, e) != ARCHIVE_OK)
		r = ar_fail(a, name, err);
	archive_entry_free(e);
	return r;
}

int dockersave_write(const char *path, const struct dsave_image *imgs, size_t n, long long mtime,
		     struct perr *err)
{
	struct strbuf manifest = STRBUF_INIT;
	struct archive *a = NULL;
	char *tmp = NULL, (*diffs)[65] = NULL;
	int r = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	diffs = calloc(n ? n : 1, sizeof(*diffs));
	a = archive_write_new();
	if (!diffs || !a) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		r = ar_fail(a, tmp, err);
		goto out;
	}
	sb_add(&manifest, "[", 1);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct strbuf layer = STRBUF_INIT;
		char cfgsha[65], name[80], *cfg = NULL;
		bool dup = false;

		if ((r = write_layer(&imgs[i], mtime, &layer, err)) < 0) {
			sb_free(&layer);
			perr_wrap(err, "image %s", imgs[i].tag);
			break;
		}
		if (sha256_hex(layer.s ? layer.s : "", layer.len, diffs[i]) < 0) {
			sb_free(&layer);
			r = perr_set(err, -EIO, "sha256 failed");
			break;
		}
		for (size_t j = 0; j < i; j++)
			dup |= !strcmp(diffs[j], diffs[i]);
		if (!dup) {
			snprintf(name, sizeof(name), "%s", diffs[i]);
			r = put_dir(a, name, mtime, err);
			snprintf(name, sizeof(name), "%s/layer.tar", diffs[i]);
			if (r == 0)
				r = put(a, name, layer.s, layer.len, mtime, err);
		}
		sb_free(&layer);
		if (r < 0)
			break;
		cfg = config_json(&imgs[i], diffs[i], mtime);
		if (!cfg || sha256_hex(cfg, strlen(cfg), cfgsha) < 0) {
			free(cfg);
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		snprintf(name, sizeof(name), "%s.json", cfgsha);
		r = put(a, name, cfg, strlen(cfg), mtime, err);
		free(cfg);
		sb_printf(&manifest, "%s{\"Config\":\"%s.json\",\"RepoTags\":[", i ? "," : "", cfgsha);
		sb_json_str(&manifest, imgs[i].tag);
		sb_printf(&manifest, "],\"Layers\":[\"%s/layer.tar\"]}", diffs[i]);
	}
	sb_add(&manifest, "]", 1);
	if (r == 0 && manifest.err)
		r = perr_set(err, -ENOMEM, "out of memory");
	if (r == 0)
		r = put(a, "manifest.json", manifest.s, manifest.len, mtime, err);
	if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
		r = ar_fail(a, tmp, err);
	if (r == 0 && rename(tmp, path) < 0)
		r = perr_set(err, -errno, "rename %s: %s", path, strerror(errno));
out:
	if (a)
		archive_write_free(a);
	if (r < 0)
		unlink(tmp);
	sb_free(&manifest);
	free(diffs);
	free(tmp);
	return r;
}
