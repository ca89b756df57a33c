/* validate_report: the validators' context and where their messages point
 * (validate_report.h). */
#include "config/validate_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void value_pos(const struct ynode *m, const char *key, int *line, int *col)
{
	const struct ynode *v = key ? ymap_get(m, key) : NULL;
	if (v) {
		*line = v->line, *col = v->col;
		return;
	}
	if (m) {
		*line = m->line, *col = m->col;
		return;
	}
	*line = 1, *col = 1;
}

void key_pos(const struct ynode *m, const char *key, int *line, int *col)
{
	for (size_t i = 0; m && m->kind == Y_MAP && i < m->n; i++)
		if (!strcmp(ymap_key(m, i)->val, key)) {
			*line = ymap_key(m, i)->line, *col = ymap_key(m, i)->col;
			return;
		}
	value_pos(m, NULL, line, col);
}

const struct ynode *ypath(const struct ynode *root, const char *dotted)
{
	const struct ynode *n = root;
	char *dup = strdup(dotted), *save = NULL;
	if (!dup)
		return NULL;
	for (char *t = strtok_r(dup, ".", &save); t && n; t = strtok_r(NULL, ".", &save))
		n = ymap_get(n, t);
	free(dup);
	return n;
}

int fail_path(struct vctx *v, const char *dotted, const char *fmt, const char *a1, const char *a2)
{
	const struct ynode *n = ypath(v->c->root, dotted);
	int line = 1, col = 1;
	if (!n) {
		/* nearest parent */
		char *dup = strdup(dotted);
		while (dup && !n) {
			char *dot = strrchr(dup, '.');
			if (!dot)
				break;
			*dot = '\0';
			n = ypath(v->c->root, dup);
		}
		free(dup);
	}
	if (n)
		line = n->line, col = n->col;
	char *msg = NULL;
	if (asprintf(&msg, fmt, a1 ? a1 : "", a2 ? a2 : "") < 0)
		return fail_oom(v);
	int r = FAIL_AT(v, line, col, "%s: %s", dotted, msg);
	free(msg);
	return r;
}

void warn_path(struct vctx *v, const char *dotted, const char *fmt, const char *a1)
{
	const struct ynode *n = ypath(v->c->root, dotted);
	char *msg = NULL;
	if (asprintf(&msg, fmt, a1 ? a1 : "") < 0)
		return;
	diag_add(v->diags, v->c->file, n ? n->line : 0, n ? n->col : 0, "%s: %s", dotted, msg);
	free(msg);
}

int fail_oom(struct vctx *v)
{
	return perr_set(v->err, -ENOMEM, "out of memory");
}
