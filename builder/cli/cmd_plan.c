/* paddock plan FILE [--json]: what each node will be. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "plan/plan.h"
#include "plan/plan_output.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock plan FILE [--json]\n\n"
		"Validates FILE like `paddock validate`, then prints for each node its roles, boot\n"
		"settings, the containers it will run (image, user, key flags), the etcd initial\n"
		"cluster, the certificates with their SANs and the files its image carries.\n"
		"Secrets are never printed.\n\n"
		"  --json   the same as a stable JSON document (every flag, not only key ones)\n\n"
		"exit status: 0 ok, 1 invalid input, 2 usage error\n");
}

int cmd_plan(int argc, char **argv)
{
	const char *file = NULL;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--json")) {
			json = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "paddock plan: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
		if (file) {
			fprintf(stderr, "paddock plan: one FILE only\n");
			return EXIT_USAGE;
		}
		file = argv[i];
	}
	if (!file) {
		usage(stderr);
		return EXIT_USAGE;
	}
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
