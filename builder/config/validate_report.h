/* validate_report: what the rule sets (validate_rke, validate_strict,
 * validate_paddock) share: the context they run in, and errors and
 * warnings placed at the key they are about. */
#ifndef PADDOCK_VALIDATE_REPORT_H
#define PADDOCK_VALIDATE_REPORT_H

#include <errno.h>

#include "config/config.h"

struct vctx {
	struct cluster *c;
	struct diag_list *diags;
	struct perr *err;
};

/* Position of key's value in mapping m, else of m, else 1:1. */
void value_pos(const struct ynode *m, const char *key, int *line, int *col);

/* Position of the key itself (for "this section ..." messages). */
void key_pos(const struct ynode *m, const char *key, int *line, int *col);

/* The node at a dotted path of mapping keys ("services.etcd.uid"). */
const struct ynode *ypath(const struct ynode *root, const char *dotted);

#define FAIL_AT(v, line, col, ...) perr_setat((v)->err, -EINVAL, (v)->c->file, line, col, __VA_ARGS__)

/* Error "dotted: msg" at the value of dotted, or at its nearest existing
 * parent; fmt takes two strings (NULL prints as ""). */
int fail_path(struct vctx *v, const char *dotted, const char *fmt, const char *a1, const char *a2);

/* Warning "dotted: msg" at the value of dotted; fmt takes one string. */
void warn_path(struct vctx *v, const char *dotted, const char *fmt, const char *a1);

int fail_oom(struct vctx *v);

#endif
