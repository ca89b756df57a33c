/* base_key: the cache key of the base layer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/base_key.h"
#include "version.h"
#include "image/base_list.h"
#include "components/digest.h"
#include "fsutil.h"
#include "image/sysimages.h"

/* Hashes the source-tree file f (a build product or module list) into
 * hex; a missing one names the line of list that wants it. */
static int hash_input(const struct base_opts *o, const char *f, const char *list, int lineno,
		      char hex[DIGEST_HEX_LEN + 1], struct perr *err)
{
	const char *dir, *sub;
	base_source(o, f, &dir, &sub);
	char *h = path_join(dir, sub);
	int r = h ? digest_file(h, hex, err) : perr_set(err, -ENOMEM, "out of memory");
	free(h);
	if (r == -ENOENT)
		r = perr_setat(err, r, list, lineno, 1, "%s is missing (run `make`)", f);
	return r;
}

/* images DIR DEST: the image lists of DIR and the build products they take. */
static int key_images(const struct base_opts *o, const struct listline *ln, struct digest *d,
		      struct perr *err)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct listfile *v = NULL;
	size_t n = 0;
	char *dir = path_join(o->root, ln->tok[1]);
	int r = dir ? sysimages_load(dir, &v, &n, err) : perr_set(err, -ENOMEM, "out of memory");
	free(dir);
	for (size_t k = 0; r >= 0 && k < n; k++) {
		digest_update(d, v[k].text, v[k].textlen + 1);
		for (size_t j = 0; r >= 0 && j < v[k].n; j++) {
			const struct listline *pl = &v[k].lines[j];
			if (strcmp(pl->tok[0], "product") || pl->ntok < 2)
				continue;
			if ((r = hash_input(o, pl->tok[1], v[k].path, pl->lineno, hex, err)) >= 0)
				digest_update(d, hex, sizeof(hex));
		}
	}
	sysimages_free(v, n);
	return r;
}

/* Everything but the generated parts, in the order the key has always had. */
static int key_inputs(const struct base_opts *o, const struct lock *lock, const struct listfile *list,
		      struct digest *d, struct perr *err)
{
	char hex[DIGEST_HEX_LEN + 1];
	char *hdr = NULL;
	int r;
	if (asprintf(&hdr, "paddock-base 1\n%s\n%s\n%s\n%lld\n", PADDOCK_VERSION, o->flavour,
		     compression_name(o->compression), o->mtime) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	digest_update(d, hdr, strlen(hdr));
	free(hdr);
	/* the builder itself: a changed archive writer must not reuse old bases */
	if (digest_file("/proc/self/exe", hex, err) < 0)
		return perr_wrap(err, "hashing the builder");
	digest_update(d, hex, sizeof(hex));
	digest_update(d, list->text, list->textlen + 1);
	for (size_t i = 0; i < lock->n; i++) {
		digest_update(d, lock->v[i].name, strlen(lock->v[i].name) + 1);
		digest_update(d, lock->v[i].sha256, DIGEST_HEX_LEN + 1);
	}
	for (size_t i = 0; i < list->n; i++) {
		const struct listline *ln = &list->lines[i];
		if (!strcmp(ln->tok[0], "images") && ln->ntok == 3 && (r = key_images(o, ln, d, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < list->n; i++) {
		const struct listline *ln = &list->lines[i];
		const char *f = NULL;
		if (!strcmp(ln->tok[0], "product") && ln->ntok >= 2)
			f = ln->tok[1];
		else if (!strcmp(ln->tok[0], "modules") && ln->ntok == 2)
			f = ln->tok[1];
		if (!f)
			continue;
		if ((r = hash_input(o, f, list->path, ln->lineno, hex, err)) < 0)
			return r;
		digest_update(d, f, strlen(f) + 1);
		digest_update(d, hex, sizeof(hex));
	}
	return 0;
}

int base_key(const struct base_opts *o, const struct lock *lock, const struct listfile *list, char **ret,
	     struct perr *err)
{
	struct digest *d = digest_new();
	char hex[DIGEST_HEX_LEN + 1];
	if (!d)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = key_inputs(o, lock, list, d, err);
	for (size_t i = 0; r >= 0 && i < o->nparts; i++) {
		const struct base_part *p = &o->parts[i];
		digest_update(d, p->name, strlen(p->name) + 1);
		if (p->key && p->key(p->ctx, d, err) < 0)
			r = perr_wrap(err, "%s", p->name);
	}
	if (r < 0) {
		digest_abort(d);
		return r;
	}
	digest_final(d, hex);
	if (!(*ret = strndup(hex, 24)))
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}
