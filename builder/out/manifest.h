/* manifest: out/manifest.json (what went in) and out/SHA256SUMS (every
 * file).  Both are deterministic: no times, entries in a fixed order. */
#ifndef PADDOCK_MANIFEST_H
#define PADDOCK_MANIFEST_H

#include <stddef.h>

#include "components/digest.h"
#include "perr.h"

/* A file written under OUT, recorded as it is written. */
struct outfile {
	char *path;    /* relative to OUT */
	char sha256[DIGEST_HEX_LEN + 1];
	unsigned long long size;
};

struct outfiles {
	struct outfile *v;
	size_t n, cap;
};

int outfiles_add(struct outfiles *f, const char *path, const char *sha256, unsigned long long size);
const struct outfile *outfiles_find(const struct outfiles *f, const char *path);
void outfiles_free(struct outfiles *f);
/* Writes SHA256SUMS ("<sha256>  <path>", sorted by path) into dir. */
int sums_write(const char *dir, struct outfiles *f, struct perr *err);

/* A growing JSON text. */
struct json {
	char *s;
	size_t len, cap;
	int oom;
};

void json_raw(struct json *j, const char *s);
void json_str(struct json *j, const char *s);       /* quoted, escaped */
void json_kv(struct json *j, const char *k, const char *v, int comma); /* "k": "v" */
void json_kn(struct json *j, const char *k, unsigned long long v, int comma);

#endif
