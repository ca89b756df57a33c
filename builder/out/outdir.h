/* outdir: builds an output directory beside its final place and swaps it in
 * at the end, so a build killed at any point leaves the previous OUT as it
 * was.  The temporary is .<name>.tmp-<pid>-XXXXXX next to OUT; ones left by 
 * dead builds are removed when the next build starts. */
#ifndef PADDOCK_OUTDIR_H
#define PADDOCK_OUTDIR_H

#include "perr.h"

struct outdir {
	char *final;   /* OUT as given */
	char *tmp;     /* the directory being filled */
};

int outdir_begin(struct outdir *o, const char *final, struct perr *err);
/* Replaces OUT by the temporary (atomically when OUT exists: renameat2
 * RENAME_EXCHANGE, then the old tree is removed). */
int outdir_commit(struct outdir *o, struct perr *err);
/* Removes the temporary; OUT is untouched. */
void outdir_abort(struct outdir *o);

#endif
