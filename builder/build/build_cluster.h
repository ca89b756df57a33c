/* build_cluster: `paddock build` as a function, from a cluster.yml to OUT.
 * Reads and checks the file, gathers each node's files (os-services,
 * System Docker's daemon.json, the SSH key), config and kernel command
 * line, then builds (build.h): base, node layers, boot media, manifest. */
#ifndef PADDOCK_BUILD_CLUSTER_H
#define PADDOCK_BUILD_CLUSTER_H

#include "progress.h"
#include "config/diag.h"
#include "perr.h"

/* What a build says besides progress; each member may be NULL. */
struct build_report {
	/* the file's warnings and notes, once it is read (also when it is then
	 * rejected: load_err is then the error, which a note may explain, so
	 * the caller prints warnings, error, notes in that order) */
	void (*diags)(void *ctx, const struct diag_list *d, const struct perr *load_err);
	/* a warning about a node, "node n1: ..."; one the next nodes share is
	 * said once, and at the end "the same for N more node(s)" */
	void (*warning)(void *ctx, const char *msg);
	void *ctx;
};

struct build_options {
	const char *file;               /* the cluster.yml */
	const char *out;                /* OUT, replaced once everything is written */
	const char *root;               /* source tree: configs/, os-services/, build/initrd/ */
	const char *products;           /* NULL: ROOT/build (image/base.h) */
	const char *cache;              /* component and base cache */
	const char *kernel;             /* generic | cloud; NULL: the file's paddock.kernel */
	const char *compression;        /* zstd | gzip | xz | none; NULL: paddock.compression */
	const char *formats;            /* "kernel,initrd,iso,pxe,ipxe"; NULL: paddock.formats */
	const char *http_base;          /* NULL: paddock.http_base */
	const char *syslinux_dir;       /* NULL: Debian's places */
	const char *grub_dir;           /* NULL: /usr/lib/grub/x86_64-efi */
	long long source_date_epoch;    /* every timestamp in the images */
	const struct progress *progress; /* a line per stage; NULL: none */
	const struct build_report *report; /* NULL: nothing is said */
};

/* Where a failed build stopped; either way OUT is as it was. */
enum build_failure {
	BUILD_FAILED_INPUT,  /* the file, os-services/ or a node's files: nothing was built */
	BUILD_FAILED_OUTPUT, /* building or writing OUT */
};

/* Builds o->file into o->out.  On failure *err says why and *ret_failure
 * (when not NULL) where. */
int build_cluster(const struct build_options *o, enum build_failure *ret_failure, struct perr *err);

#endif
