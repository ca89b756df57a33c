/* paddock audit OUT [--json]: checks a build output against the security
 * checklist. */
#include <stdio.h>
#include <stdlib.h>

#include "audit/audit.h"
#include "cli/cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: paddock audit OUT [--json]\n\n"
		   "Reads back every node of a `paddock build` output (its layers, as the kernel\n"
		   "unpacks them, and OUT's own files) and checks the security checklist:\n\n");
	for (const struct audit_check *c = audit_checks; c->item; c++)
		fprintf(f, "  %-20s %s\n", c->item, c->what);
	fprintf(f, "\nPrints a table (item, node, result, why); FAIL* marks a check `paddock build`\n"
		   "does not enforce yet.\n\n"
		   "  --json   the results as a JSON document\n\n"
		   "exit status: 0 every check passed, 1 a check failed or OUT cannot be read,\n"
		   "2 usage error\n");
}

int cmd_audit(int argc, char **argv)
{
	static const char *const opts[] = { "--json", NULL };
	bool seen[1] = { false };
	const char *out;
	int st = cli_file_args(argc, argv, usage, opts, seen, &out);
	if (st != CLI_GO_ON)
		return st;
	struct audit_report rep = { 0 };
	struct perr err = PERR_INIT;
	if (audit_run(out, &rep, &err) < 0) {
		cli_print_error(&err);
		perr_clear(&err);
		audit_report_free(&rep);
		return EXIT_INVALID;
	}
	int r = 0;
	if (seen[0]) {
		char *json = audit_report_json(&rep, out);
		r = json && fputs(json, stdout) >= 0 ? 0 : -1;
		free(json);
	} else {
		r = audit_report_table(&rep, out, stdout);
	}
	st = audit_report_failures(&rep, false) ? EXIT_INVALID : 0;
	audit_report_free(&rep);
	if (r < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "paddock audit: cannot write the report to stdout\n");
		return EXIT_INVALID;
	}
	return st;
}
