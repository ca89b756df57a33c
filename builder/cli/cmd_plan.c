/* paddock plan FILE [--json]: what each node will be. */
#include <stdio.h>

#include "cli/cli.h"
#include "plan/plan.h"
#include "plan/plan_output.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock plan FILE [--json] [--metadata FILE]\n\n"
		"Validates FILE like `paddock validate`, then prints for each node its roles, boot\n"
		"settings, the containers it will run (image, user, key flags), the etcd initial\n"
		"cluster, the certificates with their SANs and the files its image carries.\n"
		"Secrets are never printed.\n\n"
		"  --json   the same as a stable JSON document (every flag, not only key ones)\n\n"
		"  --metadata FILE   RKE's data.json: the Kubernetes version data to use instead\n"
		"                    of the data paddock carries (default $PADDOCK_METADATA)\n\n"
		"exit status: 0 ok, 1 invalid input, 2 usage error\n");
}

int cmd_plan(int argc, char **argv)
{
	static const char *const opts[] = { "--json", NULL };
	bool seen[1] = { false };
	const char *file;
	int st = cli_file_args(argc, argv, usage, opts, seen, &file);
	if (st != CLI_GO_ON)
		return st;
	bool json = seen[0];
	struct plan *p = NULL;
	if (cli_load_plan(file, &p) != 0)
		return EXIT_INVALID;
	int r = json ? plan_write_json(p, stdout) : plan_write_text(p, stdout);
	plan_free(p);
	if (r < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "paddock plan: cannot write the plan to stdout\n");
		return EXIT_INVALID;
	}
	return 0;
}
