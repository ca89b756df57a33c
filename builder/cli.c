#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

void cli_print_error(const struct perr *e)
{
	char *s = perr_format(e);
	if (e->file)
		fprintf(stderr, "%s\n", s ? s : "out of memory");
	else
		fprintf(stderr, "paddock: %s\n", s ? s : "out of memory");
	free(s);
}

void cli_print_diags(const struct diag_list *d)
{
	for (size_t i = 0; d && i < d->n; i++) {
		const struct diag *w = &d->v[i];
		if (w->file && w->line > 0)
			fprintf(stderr, "%s:%d:%d: warning: %s\n", w->file, w->line,
				w->col > 0 ? w->col : 1, w->msg);
		else if (w->file)
			fprintf(stderr, "%s: warning: %s\n", w->file, w->msg);
		else
			fprintf(stderr, "paddock: warning: %s\n", w->msg);
	}
}
