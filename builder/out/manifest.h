/* manifest: out/manifest.json (what went in) and out/SHA256SUMS (every
 * file).  Both are deterministic: no times, entries in a fixed order. */
#ifndef PADDOCK_MANIFEST_H
#define PADDOCK_MANIFEST_H

#include <stddef.h>

#include "components/digest.h"
#include "components/lock.h"
#include "nodecfg.h"
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

struct manifest_node {
	const char *name;
	const char *cmdline;
};

/* The Kubernetes version data the plan took its images and flags from
 * (config/k8s_versions.h: k8s_data_name, _file, _sha256). */
struct manifest_version_data {
	const char *name;
	const char *file;                /* NULL: the one paddock carries; only its name is written */
	const char *sha256;
};

/* What went into a build. */
struct manifest_input {
	const char *cluster;
	const char *source;              /* the cluster file; only its name is written */
	long long source_date_epoch;
	struct manifest_version_data version_data;
	const char *base_key;            /* the base cache's key (base.h) */
	const struct nodecfg *base_info; /* kernel.* vmlinuz.* base.* of the base's info */
	const struct lock *lock;
	const struct manifest_node *nodes;
	size_t n_nodes;
	char *const *operator_files;     /* NULL-terminated paths, or NULL */
};

/* Writes dir/manifest.json: m, then every file of f with its hash — a
 * node's files (<node>/...) under the node, the network boot trees (tftp/,
 * ipxe/) under "media", m->operator_files under "operator".  Its hash and length go to sha and *ret_len. */
int manifest_write(const char *dir, const struct manifest_input *m, const struct outfiles *f,
		   char sha[DIGEST_HEX_LEN + 1], size_t *ret_len, struct perr *err);

#endif
