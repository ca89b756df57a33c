/* media_plan: boot media for a planned cluster, from what `paddock build`
 * left under outdir: <node>/vmlinuz, <node>/node.img (the node layer) and
 * <node>/initrd.img (base + node layer) per node, and the shared base. */
#ifndef PADDOCK_MEDIA_PLAN_H
#define PADDOCK_MEDIA_PLAN_H

#include "media/media.h"
#include "perr.h"
#include "plan/plan.h"

/* Command-line settings; each NULL leaves the cluster file's. */
struct media_build_opts {
	const char *formats;        /* --formats list, e.g. "kernel,iso" */
	const char *http_base;      /* --http-base URL */
	const char *syslinux_dir;   /* --syslinux-dir */
	const char *grub_dir;       /* --grub-dir */
	long long source_date_epoch;
};

/* The formats to build: o->formats, else the plan's, else all. */
int media_plan_formats(const struct plan *p, const struct media_build_opts *o, unsigned *ret_formats,
		       struct perr *err);

/* Emits the media for every node of p.  cmdlines[i] is node i's kernel
 * command line (NULL: the node's kernel_args only).  base is the shared
 * base initramfs.  Nothing is done when no media format is selected. */
int media_emit_plan(const struct plan *p, const char *outdir, const char *base, char *const *cmdlines,
		    const struct media_build_opts *o, struct strv *out, struct perr *err);

#endif
