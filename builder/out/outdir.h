/* outdir: builds an output directory beside its final place and swaps it in
 * at the end, so a build killed at any point leaves the previous OUT as it
 * was.  The temporary is .<name>.tmp-<pid>-XXXXXX next to OUT (fsutil.h:
 * struct tmpdir); ones left by killed builds are removed when a later build
 * starts.
 *
 * OUT is replaced whole, so only a directory that holds nothing of value
 * may be OUT: a new or empty one, or an earlier output, which paddock marks
 * with the file OUTDIR_MARKER.  Anything else is refused before anything is
 * touched. */
#ifndef PADDOCK_OUTDIR_H
#define PADDOCK_OUTDIR_H

#include <stdbool.h>

#include "fsutil.h"
#include "perr.h"

/* Written into every output; its first line is OUTDIR_FORMAT. */
#define OUTDIR_MARKER ".paddock-output"
#define OUTDIR_FORMAT "paddock-output 1"

struct outdir {
	char *final;          /* OUT as given */
	struct tmpdir tmp;    /* the directory being filled (tmp.path) */
};

/* What OUT must never be nor hold; NULL members are not checked.  OUT is
 * never `/` nor $HOME, and never holds $HOME either. */
struct outdir_keep {
	const char *input;    /* the cluster file */
	const char *root;     /* the source tree */
	const char *cache;    /* also: OUT must not lie inside it */
};

/* Checks OUT (see above) without touching anything: a build checks first,
 * before it writes anything else (the cluster's state file). */
int outdir_check(const char *final, const struct outdir_keep *keep, struct perr *err);
/* Checks OUT and creates the temporary, with the marker in it. */
int outdir_begin(struct outdir *o, const char *final, const struct outdir_keep *keep, struct perr *err);
/* Replaces OUT by the temporary (atomically when OUT exists: renameat2
 * RENAME_EXCHANGE, then the old tree is removed). */
int outdir_commit(struct outdir *o, struct perr *err);
/* Removes the temporary; OUT is untouched. */
void outdir_abort(struct outdir *o);

/* Whether name is taken by OUT's own files and folders (base.img, vmlinuz,
 * manifest.json, SHA256SUMS, tftp, ipxe, ...), so no node directory may
 * have it. */
bool outdir_name_taken(const char *name);

#endif
