/* paddock: turns an RKE cluster.yml into per-node appliance images. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "version.h"
#include "config/k8s_metadata.h"
#include "config/k8s_versions.h"

const struct cli_verb cli_verbs[] = {
	{ "validate", "check a cluster.yml (RKE's rules, and paddock's stricter ones)", cmd_validate, true },
	{ "plan", "show what each node will run and carry (--json: stable document)", cmd_plan, true },
	{ "images", "list every image the nodes run or pull, and where each comes from", cmd_images, true },
	{ "build", "build every node's kernel and initramfs into an output directory", cmd_build, true },
	{ "certs", "rotate or issue the cluster's certificates in its state file", cmd_certs, true },
	{ "audit", "check a build output against the security checklist (--json)", cmd_audit, false },
	{ "serve", "network-boot an output's nodes (dnsmasq + HTTP) and watch them come up", cmd_serve, false },
	{ "status", "print the fleet table of `paddock serve` for an output", cmd_status, false },
	{ "components", "fetch the pinned components into the cache and check every hash", cmd_components, false },
	{ NULL, NULL, NULL, false },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: paddock VERB [OPTIONS] ...\n"
		   "       paddock --version | --help\n\n"
		   "Builds a minimal, hardened boot image for every node of an RKE cluster.yml.\n\n"
		   "verbs:\n");
	for (const struct cli_verb *v = cli_verbs; v->name; v++)
		fprintf(f, "  %-10s %s\n", v->name, v->summary);
	fprintf(f, "\nThe verbs that read a cluster.yml take --metadata FILE (default\n"
		   "$PADDOCK_METADATA): RKE's data.json, the Kubernetes version data to use\n"
		   "instead of %s.\n", k8s_data_name());
	fprintf(f, "\n`paddock VERB --help` describes one verb.\n"
		   "exit status: 0 ok, 1 invalid input or failed build, 2 usage error\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("paddock %s\n", PADDOCK_VERSION);
		return 0;
	}
	for (const struct cli_verb *v = cli_verbs; v->name; v++) {
		if (strcmp(argv[1], v->name))
			continue;
		int n = argc - 1;
		int st = cli_take_metadata(v, &n, argv + 1);
		if (st != CLI_GO_ON)
			return st;
		st = v->run(n, argv + 1);
		k8s_metadata_unload();
		return st;
	}
	fprintf(stderr, "paddock: unknown verb '%s' (see paddock --help)\n", argv[1]);
	return EXIT_USAGE;
}
