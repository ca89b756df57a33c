/* lock: configs/components.lock, the pinned components. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/digest.h"
#include "components/listfile.h"
#include "components/lock.h"

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("+-._", *s)))
			return 0;
	return 1;
}

static int parse_lines(struct listfile *lf, struct lock *l, struct perr *err)
{
	if (!(l->v = calloc(lf->n ? lf->n : 1, sizeof(*l->v))))
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < lf->n; i++) {
		struct listline *ln = &lf->lines[i];
		struct component *c = &l->v[l->n];
		const char *kind = ln->tok[0];
		size_t want = !strcmp(kind, "deb") ? 5 : !strcmp(kind, "url") ? 4 : 0;
		if (!want)
			return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
					  "unknown component kind '%s' (expected deb or url)", kind);
		if (ln->ntok != want)
			return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
					  "%s: expected %zu fields, found %zu", kind, want, ln->ntok);
		if (!valid_name(ln->tok[1]))
			return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
					  "bad package name '%s'", ln->tok[1]);
		const char *sha = ln->tok[want - 1];
		if (!digest_is_hex(sha))
			return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
					  "%s: sha256 must be 64 lower-case hex digits", ln->tok[1]);
		if (lock_find(l, ln->tok[1]))
			return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
					  "%s: listed twice", ln->tok[1]);
		c->line = ln->lineno;
		l->n++; /* from here on lock_free owns c's strings */
		c->kind = want == 5 ? COMPONENT_DEB : COMPONENT_URL;
		c->name = strdup(ln->tok[1]);
		c->sha256 = strdup(sha);
		if (c->kind == COMPONENT_DEB) {
			c->version = strdup(ln->tok[2]);
			c->arch = strdup(ln->tok[3]);
			if (strchr(c->version ? c->version : "", '/') || strchr(c->arch ? c->arch : "", '/'))
				return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
						  "%s: '/' in version or arch", c->name);
		} else {
			c->url = strdup(ln->tok[2]);
		}
		if (!c->name || !c->sha256 || (c->kind == COMPONENT_DEB && (!c->version || !c->arch)) ||
		    (c->kind == COMPONENT_URL && !c->url))
			return perr_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Takes the lines of lf (freed in any case) as the lock. */
static int from_listfile(struct listfile *lf, struct lock *out, struct perr *err)
{
	struct lock l = { 0 };
	int r = parse_lines(lf, &l, err);
	if (r >= 0) {
		l.path = lf->path;
		l.text = lf->text;
		l.textlen = lf->textlen;
		lf->path = lf->text = NULL;
	}
	listfile_free(lf);
	if (r < 0) {
		lock_free(&l);
		return r;
	}
	*out = l;
	return 0;
}

int lock_parse(const char *name, const char *buf, size_t len, struct lock *out, struct perr *err)
{
	struct listfile lf;
	int r = listfile_parse(name, buf, len, &lf, err);
	return r < 0 ? r : from_listfile(&lf, out, err);
}

int lock_load(const char *path, struct lock *out, struct perr *err)
{
	struct listfile lf;
	int r = listfile_load(path, &lf, err);
	return r < 0 ? r : from_listfile(&lf, out, err);
}

const struct component *lock_find(const struct lock *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].name && !strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

char *component_cache_path(const struct component *c, const char *cache)
{
	char *s = NULL;
	int n;
	if (c->kind == COMPONENT_URL) {
		n = asprintf(&s, "%s/debs/%s_%s.deb", cache, c->name, c->sha256);
		return n < 0 ? NULL : s;
	}
	/* apt spells ':' as %3a in file names */
	size_t extra = 0;
	for (const char *p = c->version; *p; p++)
		extra += *p == ':' ? 2 : 0;
	char *ver = malloc(strlen(c->version) + extra + 1);
	if (!ver)
		return NULL;
	char *w = ver;
	for (const char *p = c->version; *p; p++) {
		if (*p == ':') {
			memcpy(w, "%3a", 3);
			w += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
	n = asprintf(&s, "%s/debs/%s_%s_%s.deb", cache, c->name, ver, c->arch);
	free(ver);
	return n < 0 ? NULL : s;
}

void lock_free(struct lock *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].version);
		free(l->v[i].arch);
		free(l->v[i].url);
		free(l->v[i].sha256);
	}
	free(l->v);
	free(l->path);
	free(l->text);
	memset(l, 0, sizeof(*l));
}
