/* deb: reads Debian packages without dpkg. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "components/deb.h"

struct member {
	struct archive *outer;
};

static la_ssize_t member_read(struct archive *a, void *data, const void **buf)
{
	(void)a;
	struct member *m = data;
	const void *b;
	size_t len;
	la_int64_t off;
	int r = archive_read_data_block(m->outer, &b, &len, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK)
		return -1;
	*buf = b;
	return (la_ssize_t)len;
}

/* True when a member name has a ".." component (it could leave the tree). */
static int dotdot(const char *name)
{
	for (const char *p = name; (p = strstr(p, "..")); p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
			return 1;
	return 0;
}

static int prefixed(struct archive_entry *e, const char *dir, const char *name, int hard)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p)
		return -ENOMEM;
	snprintf(p, n, "%s/%s", dir, name);
	if (hard)
		archive_entry_copy_hardlink(e, p);
	else
		archive_entry_copy_pathname(e, p);
	free(p);
	return 0;
}

/* Extracts one data.tar member under dir (or skips it, see deb.h). */
static int extract_entry(struct archive *in, struct archive *out, struct archive_entry *e,
			 const char *deb, const char *member, const char *dir, struct perr *err)
{
	mode_t t = archive_entry_filetype(e);
	const char *n = archive_entry_pathname(e), *h = archive_entry_hardlink(e);
	/* tar's hard-link entries carry no file type, only the target */
	if (t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK && !(h && t == 0))
		return 0;
	if (!n)
		return perr_set(err, -EINVAL, "%s: %s: member without a name", deb, member);
	/* copies: prefixed() replaces the entry's own strings */
	char *name = strdup(n), *hl = h ? strdup(h) : NULL;
	int r = 0;
	struct stat st;
	if (!name || (h && !hl)) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (dotdot(name) || (hl && (dotdot(hl) || hl[0] == '/'))) {
		r = perr_set(err, -EINVAL, "%s: %s: member '%s'%s%s leaves the package tree", deb, member,
			     name, hl ? ": hard link to " : "", hl ? hl : "");
		goto out;
	}
	if (prefixed(e, dir, name, 0) < 0 || (hl && prefixed(e, dir, hl, 1) < 0)) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (t == AE_IFDIR)
		archive_entry_set_perm(e, archive_entry_perm(e) | 0700);
	/* libarchive only warns when a link's target is missing */
	if (hl && lstat(archive_entry_hardlink(e), &st) < 0) {
		r = perr_set(err, -ENOENT, "%s: %s: member '%s': hard link to %s, which is not in the package",
			     deb, member, name, hl);
		goto out;
	}
	int x = archive_read_extract2(in, e, out);
	if (x != ARCHIVE_OK && x != ARCHIVE_WARN) {
		int en = archive_errno(out) > 0 ? archive_errno(out) : EIO;
		r = perr_set(err, -en, "%s: extracting %s: %s", deb, name,
			     archive_error_string(out) ? archive_error_string(out) : archive_error_string(in));
	}
out:
	free(name);
	free(hl);
	return r;
}

static int extract_data(struct archive *outer, const char *deb, const char *member,
			const char *dir, struct perr *err)
{
	struct member m = { outer };
	struct archive *in = archive_read_new(), *out = archive_write_disk_new();
	struct archive_entry *e;
	int r = 0;
	if (!in || !out) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	archive_read_support_format_tar(in);
	archive_read_support_filter_all(in);
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						    ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	if (archive_read_open(in, &m, NULL, member_read, NULL) != ARCHIVE_OK) {
		r = perr_set(err, -EINVAL, "%s: %s: %s", deb, member, archive_error_string(in));
		goto done;
	}
	for (;;) {
		int h = archive_read_next_header(in, &e);
		if (h == ARCHIVE_EOF)
			break;
		if (h != ARCHIVE_OK && h != ARCHIVE_WARN) {
			r = perr_set(err, -EINVAL, "%s: %s: %s", deb, member, archive_error_string(in));
			goto done;
		}
		if ((r = extract_entry(in, out, e, deb, member, dir, err)) < 0)
			goto done;
	}
	if (archive_write_close(out) != ARCHIVE_OK) {
		int en = archive_errno(out) > 0 ? archive_errno(out) : EIO;
		r = perr_set(err, -en, "%s: %s", deb, archive_error_string(out));
	}
done:
	if (in)
		archive_read_free(in);
	if (out)
		archive_write_free(out);
	return r;
}

int deb_extract(const char *deb, const char *dir, struct perr *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, found = 0, first = 1;
	if (!a)
		return perr_set(err, -ENOMEM, "out of memory");
	archive_read_support_format_ar(a);
	if (archive_read_open_filename(a, deb, 1 << 16) != ARCHIVE_OK) {
		int en = archive_errno(a);
		r = en == ENOENT ? perr_set(err, -ENOENT, "%s: no such file", deb)
				 : perr_set(err, -EINVAL, "%s: not a Debian package (%s)", deb,
					    archive_error_string(a));
		archive_read_free(a);
		return r;
	}
	for (;;) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			r = perr_set(err, -EINVAL, "%s: not a Debian package (%s)", deb,
				     archive_error_string(a));
			goto out;
		}
		const char *name = archive_entry_pathname(e);
		if (first) {
			first = 0;
			if (!name || strcmp(name, "debian-binary")) {
				r = perr_set(err, -EINVAL,
					     "%s: not a Debian package (first member is not debian-binary)", deb);
				goto out;
			}
			continue;
		}
		if (name && !strncmp(name, "data.tar", 8)) {
			found = 1;
			if ((r = extract_data(a, deb, name, dir, err)) < 0)
				goto out;
			break;
		}
	}
	r = found ? 0 : perr_set(err, -EINVAL, "%s: not a Debian package (no data.tar member)", deb);
out:
	archive_read_free(a);
	return r;
}
