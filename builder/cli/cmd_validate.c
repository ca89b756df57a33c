/* paddock validate FILE: parse and check a cluster.yml. */
#include <stdio.h>

#include "cli/cli.h"
#include "plan/plan.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock validate FILE [--metadata FILE]\n\n"
		"Reads an RKE cluster.yml and checks it the way `rke up` would (YAML, key types,\n"
		"roles, hosts, network, ingress, etcd backup, ...) and where paddock is stricter:\n"
		"unknown or misspelt keys, sections at the wrong level, removed keys, even etcd\n"
		"counts (warnings); unrendered templates, no etcd node, and paddock's own boot\n"
		"keys (errors).  Nothing is written.\n\n"
		"Errors and warnings go to stderr as FILE:LINE:COL: KEY.PATH: message.\n"
		"  --metadata FILE   RKE's data.json: the Kubernetes version data to use instead\n"
		"                    of the data paddock carries (default $PADDOCK_METADATA)\n\n"
		"exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error\n");
}

int cmd_validate(int argc, char **argv)
{
	const char *file;
	int st = cli_file_args(argc, argv, usage, NULL, NULL, &file);
	if (st != CLI_GO_ON)
		return st;
	struct plan *p = NULL;
	if (cli_load_plan(file, &p) != 0)
		return EXIT_INVALID;
	size_t n = plan_node_count(p);
	printf("%s: valid: cluster %s, %zu node%s\n", file, plan_cluster_name(p), n, n == 1 ? "" : "s");
	plan_free(p);
	return 0;
}
