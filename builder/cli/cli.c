#include "cli/cli.h"
#include "config/k8s_metadata.h"
#include "plan/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX 2000    /* values quoted from the input can be huge */

/* One message, one line: control characters are escaped and an overlong
 * message is cut, since messages quote values from the input. */
static void put_line(const char *prefix, const char *s)
{
	size_t n = strlen(s);
	fputs(prefix, stderr);
	for (size_t i = 0; i < n && i < MSG_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", stderr);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	if (n > MSG_MAX)
		fputs("...", stderr);
	fputc('\n', stderr);
}

void cli_print_error(const struct perr *e)
{
	char *s = perr_format(e);
	put_line(e->file ? "" : "paddock: ", s ? s : "out of memory");
	free(s);
}

/* The diagnostics of kind; with before set, only those placed at or before
 * the error (before or after it when !*before). */
static void print_kind(const struct diag_list *d, enum diag_kind kind, const struct perr *err,
		       const bool *before)
{
	const char *word = kind == DIAG_NOTE ? "note" : "warning";
	for (size_t i = 0; d && i < d->n; i++) {
		const struct diag *w = &d->v[i];
		char *prefix = NULL, fallback[32];
		int r;
		if (w->kind != kind)
			continue;
		if (before) {
			bool ahead = w->file && err->file && !strcmp(w->file, err->file) &&
				     w->line > 0 && w->line <= err->line;
			if (ahead != *before)
				continue;
		}
		if (w->file && w->line > 0)
			r = asprintf(&prefix, "%s:%d:%d: %s: ", w->file, w->line,
				     w->col > 0 ? w->col : 1, word);
		else if (w->file)
			r = asprintf(&prefix, "%s: %s: ", w->file, word);
		else
			r = asprintf(&prefix, "paddock: %s: ", word);
		snprintf(fallback, sizeof(fallback), "paddock: %s: ", word);
		put_line(r < 0 ? fallback : prefix, w->msg);
		free(r < 0 ? NULL : prefix);
	}
}

void cli_print_diags(const struct diag_list *d)
{
	print_kind(d, DIAG_WARNING, NULL, NULL);
}

void cli_print_notes(const struct diag_list *d)
{
	print_kind(d, DIAG_NOTE, NULL, NULL);
}

void cli_print_report(const struct diag_list *d, const struct perr *err)
{
	static const bool before = true, after = false;
	if (!err) {
		cli_print_diags(d);
		return;
	}
	print_kind(d, DIAG_WARNING, err, &before);
	cli_print_error(err);
	cli_print_notes(d);
	print_kind(d, DIAG_WARNING, err, &after);
}

int cli_file_args(int argc, char **argv, void (*usage)(FILE *), const char *const *opts,
		  bool *seen, const char **file)
{
	*file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		size_t k = 0;
		while (opts && opts[k] && strcmp(argv[i], opts[k]))
			k++;
		if (opts && opts[k]) {
			seen[k] = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "paddock %s: unknown option '%s'\n", argv[0], argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
		if (*file) {
			fprintf(stderr, "paddock %s: one FILE only\n", argv[0]);
			return EXIT_USAGE;
		}
		*file = argv[i];
	}
	if (!*file) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return CLI_GO_ON;
}

int cli_take_metadata(const struct cli_verb *v, int *argc, char **argv)
{
	const char *path = NULL;
	bool help = false;
	int n = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		help |= !strcmp(a, "--help") || !strcmp(a, "-h");
		if (strcmp(a, "--metadata") && strncmp(a, "--metadata=", 11)) {
			argv[n++] = argv[i];
			continue;
		}
		if (!v->metadata) {
			fprintf(stderr, "paddock %s: --metadata: this verb reads no cluster.yml\n", v->name);
			return EXIT_USAGE;
		}
		path = a[10] == '=' ? a + 11 : i + 1 < *argc ? argv[++i] : NULL;
		if (!path || !*path) {
			fprintf(stderr, "paddock %s: --metadata: expected RKE's data.json FILE\n", v->name);
			return EXIT_USAGE;
		}
	}
	argv[n] = NULL;
	*argc = n;
	if (!path && v->metadata)
		path = getenv("PADDOCK_METADATA");
	if (!path || !*path || help)
		return CLI_GO_ON;
	struct perr err = PERR_INIT;
	int r = k8s_metadata_load(path, &err);
	if (r < 0)
		cli_print_error(&err);
	perr_clear(&err);
	return r < 0 ? EXIT_INVALID : CLI_GO_ON;
}

int cli_load_plan(const char *file, struct plan **ret)
{
	struct diag_list d = { 0 };
	struct perr err = PERR_INIT;
	int r = plan_load(file, ret, &d, &err);
	cli_print_report(&d, r < 0 ? &err : NULL);
	diag_free(&d);
	perr_clear(&err);
	return r < 0 ? EXIT_INVALID : 0;
}
