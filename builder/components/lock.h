/* lock: configs/components.lock, the pinned components.
 *
 *   deb NAME VERSION ARCH SHA256   a Debian package, fetched by
 *                                  `make components` (apt-get download)
 *   url NAME URL SHA256            a .deb anywhere libcurl reaches,
 *                                  fetched by the builder
 *
 * Both land in CACHE/debs: a deb as NAME_VERSION_ARCH.deb (':' written
 * %3a, as apt does), a url component as NAME_SHA256.deb. */
#ifndef PADDOCK_LOCK_H
#define PADDOCK_LOCK_H

#include <stddef.h>

#include "perr.h"

/* The lock of a source tree or an install, relative to it. */
#define LOCK_PATH "configs/components.lock"

enum component_kind { COMPONENT_DEB, COMPONENT_URL };

struct component {
	enum component_kind kind;
	char *name;
	char *version;  /* deb only */
	char *arch;     /* deb only */
	char *url;      /* url only */
	char *sha256;
	int line;
};

struct lock {
	char *path;
	char *text;
	size_t textlen;
	struct component *v;
	size_t n;
};

int lock_load(const char *path, struct lock *out, struct perr *err);
int lock_parse(const char *name, const char *buf, size_t len, struct lock *out, struct perr *err);
const struct component *lock_find(const struct lock *l, const char *name);
/* CACHE/debs/<file name>; NULL on allocation failure. */
char *component_cache_path(const struct component *c, const char *cache);
void lock_free(struct lock *l);

#endif
