/* build: from per-node inputs to files under OUT.
 *
 *   OUT/base.img            the shared base layer (compressed newc)
 *   OUT/vmlinuz             the kernel
 *   OUT/<node>/vmlinuz      the same kernel (a hard link when possible)
 *   OUT/<node>/node.img     the node layer: boot with base.img then node.img
 *   OUT/<node>/cmdline      the kernel command line
 *   OUT/<node>/initrd.img   base.img + node.img in one file (only when asked)
 *   OUT/<node>/<node>.iso   boot media (media.h), when asked: also
 *   OUT/tftp/, OUT/ipxe/
 *   OUT/kube_config_*.yml, OUT/etcd/   the operator's files (0600; pki.h)
 *   OUT/manifest.json       components, kernel, base, per-node files, media, hashes
 *   OUT/SHA256SUMS
 *
 * Node directories are 0700 (node layers will hold keys).  OUT is replaced
 * as a whole at the end (outdir.h). */
#ifndef PADDOCK_BUILD_H
#define PADDOCK_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "image/base.h"
#include "image/cpio.h"
#include "out/manifest.h"
#include "strv.h"
#include "nodecfg.h"
#include "perr.h"
#include "progress.h"

/* An extra file of a node layer (os-services, certificates, keys). */
struct node_file {
	const char *path;       /* absolute in the image */
	const void *data;
	size_t len;
	mode_t mode;
	unsigned uid, gid;      /* the owner: who uses it */
};

struct build_node {
	const char *name;
	const char *cmdline;
	const struct nodecfg *cfg;  /* becomes /etc/paddock/node.conf */
	const struct node_file *files;
	size_t nfiles;
};

/* A stage that adds files to the temporary OUT once kernel, base and node
 * files are in it (the boot media, media_plan.h); every file it lists goes
 * into the manifest and SHA256SUMS. */
struct build_stage {
	int (*run)(void *ctx, const char *dir, struct strv *added, struct perr *err);
	void *ctx;
};

/* A check of the finished temporary OUT before it replaces OUT (the
 * audit); when it fails, OUT stays as it was. */
struct build_check {
	int (*run)(void *ctx, const char *dir, struct perr *err);
	void *ctx;
};

struct build_request {
	const char *root;           /* source tree (configs/, build products) */
	const char *products;       /* NULL: ROOT/build (base.h) */
	const char *cache;          /* component and base cache */
	const char *out;
	const char *flavour;        /* generic | cloud */
	enum compression compression;
	bool combined;              /* also write <node>/initrd.img */
	const struct base_part *base_parts; /* generated parts of the base (base.h) */
	size_t nbase_parts;
	long long mtime;            /* SOURCE_DATE_EPOCH */
	const char *cluster_name;
	const char *source;         /* the cluster.yml, for the manifest */
	struct manifest_version_data version_data; /* likewise */
	const struct build_node *nodes;
	size_t n;
	const struct progress *progress;
	const struct build_stage *media;  /* NULL: no boot media */
	/* the operator's files (admin kubeconfig, etcd client); listed in the
	 * manifest under "operator"; NULL: none */
	const struct build_stage *operator;
	const struct build_check *check;  /* NULL: none */
};

int build_run(const struct build_request *r, struct perr *err);

#endif
