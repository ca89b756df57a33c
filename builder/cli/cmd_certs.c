/* paddock certs: the certificates and keys in a cluster's state file,
 * without building. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "pki/pki.h"
#include "plan/plan.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock certs rotate FILE [--ca]\n"
		"       paddock certs issue FILE\n\n"
		"Works on the cluster state file of FILE (FILE without .yml, plus\n"
		".paddock-state, beside it), which holds the cluster's CAs and keys.\n"
		"Nothing is built: afterwards run `paddock build FILE -o OUT` and boot\n"
		"every node from its new image.\n\n"
		"  rotate       new keys and certificates, valid 1 year from now, for every\n"
		"               node's certificates, the admin's (kube_config_*) and the etcd\n"
		"               client's (etcd/); the SSH host certificates kept in the state are\n"
		"               dropped, so the next build signs new ones.  The CAs, the\n"
		"               service-account key, the secrets-encryption key and the SSH host\n"
		"               keys stay.\n"
		"  rotate --ca  also new CAs (Kubernetes, front-proxy, SSH; valid 10 years), so\n"
		"               everything they signed is new: rebuild and reboot every node\n"
		"               together; the old kubeconfig, etcd client and known_hosts stop\n"
		"               working.\n"
		"  issue        creates the state file, or adds what FILE's nodes lack; what is\n"
		"               there and still right is kept.\n\n"
		"  --metadata FILE   RKE's data.json: the Kubernetes version data to use instead\n"
		"                    of the data paddock carries (default $PADDOCK_METADATA)\n\n"
		"exit status: 0 ok, 1 failure, 2 usage error\n");
}

static void waiting(void *ctx, const char *path)
{
	(void)ctx;
	fprintf(stderr, "paddock certs: waiting for %s: another paddock is using it\n", path);
}

static void day(long long t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(buf, 32, "%Y-%m-%d", gmtime_r(&tt, &tm));
}

/* Runs the verb on FILE's locked state. */
static int run(const char *verb, const char *file, bool ca)
{
	struct plan *p = NULL;
	if (cli_load_plan(file, &p) != 0)
		return EXIT_INVALID;
	bool rotate = !strcmp(verb, "rotate");
	struct pki_state_opts so = { .now = (long long)time(NULL), .create = !rotate, .waiting = waiting };
	struct pki_state *st = NULL;
	struct perr err = PERR_INIT;
	size_t dropped = 0;
	int r = pki_state_open(file, &so, &st, &err);
	bool is_new = r == 0 && pki_state_is_new(st);
	if (r == 0 && rotate)
		dropped = pki_rotate(st, ca);
	if (r == 0 && (r = pki_issue_all(st, p, &err)) == 0)
		r = pki_state_save(st, &err);
	if (r < 0) {
		cli_print_error(&err);
		fprintf(stderr, "paddock certs: %s: nothing was changed\n", verb);
	} else {
		const char *what;
		char end[32];
		day(pki_state_first_expiry(st, &what), end);
		if (is_new)
			fprintf(stderr, "paddock certs: " PKI_STATE_CREATED "\n", pki_state_path(st));
		if (rotate)
			printf("%s: %zu keys and certificates replaced%s; the first to expire, %s, ends %s\n"
			       "rebuild every node (paddock build %s -o OUT) and boot the new images%s\n",
			       pki_state_path(st), dropped, ca ? ", the CAs with them" : "", what, end, file,
			       ca ? " together" : "");
		else
			printf("%s: %zu node(s) complete; the first certificate to expire, %s, ends %s\n",
			       pki_state_path(st), plan_node_count(p), what, end);
	}
	perr_clear(&err);
	pki_state_close(st);
	plan_free(p);
	return r < 0 ? EXIT_INVALID : 0;
}

int cmd_certs(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "rotate") && strcmp(verb, "issue")) {
		fprintf(stderr, "paddock certs: unknown command '%s'\n", verb);
		usage(stderr);
		return EXIT_USAGE;
	}
	static const char *const opts[] = { "--ca", NULL };
	bool seen[1] = { false };
	const char *file;
	/* messages name "certs VERB" */
	char name[16];
	snprintf(name, sizeof name, "certs %s", verb);
	char *saved = argv[1];
	argv[1] = name;
	int st = cli_file_args(argc - 1, argv + 1, usage, strcmp(verb, "rotate") ? NULL : opts, seen, &file);
	argv[1] = saved;
	return st != CLI_GO_ON ? st : run(saved, file, seen[0]);
}
