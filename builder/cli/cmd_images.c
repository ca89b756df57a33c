/* paddock images FILE [--json]: every image the nodes run or pull. */
#include <stdio.h>

#include "cli/cli.h"
#include "config/config.h"
#include "plan/plan.h"
#include "plan/plan_images.h"
#include "strbuf.h"

/* Version of the JSON document's layout; bumped on incompatible change. */
#define IMAGES_JSON_VERSION 1

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock images FILE [--json] [--metadata FILE]\n\n"
		"Validates FILE like `paddock validate`, then lists every image its nodes will\n"
		"run or pull, once each, with where it comes from, as `rke config\n"
		"--system-images` is used: mirror the pulled ones into the private registry\n"
		"before an air-gapped install.  Listed: the role containers' images, the\n"
		"kubelet's pod sandbox (pause) and the add-ons' (network plugin, DNS, metrics\n"
		"server, ingress), which the kubelets pull once the add-ons are deployed.\n"
		"paddock's own services (syslog, ntp, sshd, docker) are built into every image\n"
		"and need no registry.\n\n"
		"One line per image: IMAGE, a tab, where it comes from (`bundled`: in the\n"
		"image; `pull from HOST`: the registry its name names, docker.io when none;\n"
		"with a default private registry, RKE's images are named under it), a tab,\n"
		"what uses it and on which nodes.\n\n"
		"  --json   the same as a stable JSON document\n\n"
		"  --metadata FILE   RKE's data.json: the Kubernetes version data to use instead\n"
		"                    of the data paddock carries (default $PADDOCK_METADATA)\n\n"
		"exit status: 0 ok, 1 invalid input, 2 usage error\n");
}

static void put_strv(struct strbuf *sb, char *const *v)
{
	for (size_t i = 0; v[i]; i++)
		sb_printf(sb, "%s%s", i ? ", " : "", v[i]);
}

static void write_text(struct strbuf *sb, const struct plan_image *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sb_adds(sb, v[i].image);
		if (v[i].registry)
			sb_printf(sb, "\tpull from %s\t", v[i].registry);
		else
			sb_adds(sb, "\tbundled\t");
		put_strv(sb, v[i].uses);
		if (v[i].nodes[0])
			sb_adds(sb, " on ");
		put_strv(sb, v[i].nodes);
		sb_adds(sb, "\n");
	}
}

static void write_json(struct strbuf *sb, const struct plan *p, const struct plan_image *v, size_t n)
{
	const struct cluster *c = plan_cluster(p);
	sb_printf(sb, "{\n  \"paddock_images\": %d,\n  \"file\": ", IMAGES_JSON_VERSION);
	sb_json_str(sb, c->file);
	sb_adds(sb, ",\n  \"kubernetes_version\": ");
	sb_json_str(sb, c->kubernetes_version);
	sb_adds(sb, ",\n  \"version_data\": { \"name\": ");
	sb_json_str(sb, k8s_data_name());
	sb_adds(sb, ", \"file\": ");
	if (k8s_data_file())
		sb_json_str(sb, k8s_data_file());
	else
		sb_adds(sb, "null");
	sb_adds(sb, ", \"sha256\": ");
	sb_json_str(sb, k8s_data_sha256());
	sb_adds(sb, " },\n  \"images\": [");
	for (size_t i = 0; i < n; i++) {
		sb_adds(sb, i ? ",\n    { \"image\": " : "\n    { \"image\": ");
		sb_json_str(sb, v[i].image);
		sb_adds(sb, ", \"source\": ");
		sb_json_str(sb, v[i].source);
		sb_adds(sb, ", \"registry\": ");
		if (v[i].registry)
			sb_json_str(sb, v[i].registry);
		else
			sb_adds(sb, "null");
		sb_adds(sb, ", \"used_by\": ");
		sb_json_strv(sb, v[i].uses);
		sb_adds(sb, ", \"nodes\": ");
		sb_json_strv(sb, v[i].nodes);
		sb_adds(sb, " }");
	}
	sb_adds(sb, n ? "\n  ]\n}\n" : "]\n}\n");
}

int cmd_images(int argc, char **argv)
{
	static const char *const opts[] = { "--json", NULL };
	bool seen[1] = { false };
	const char *file;
	int st = cli_file_args(argc, argv, usage, opts, seen, &file);
	if (st != CLI_GO_ON)
		return st;
	struct plan *p = NULL;
	if (cli_load_plan(file, &p) != 0)
		return EXIT_INVALID;
	struct plan_image *v = NULL;
	size_t n = 0;
	struct perr err = PERR_INIT;
	struct strbuf sb = STRBUF_INIT;
	st = 0;
	if (plan_images(p, &v, &n, &err) < 0) {
		cli_print_error(&err);
		st = EXIT_INVALID;
	} else {
		if (seen[0])
			write_json(&sb, p, v, n);
		else
			write_text(&sb, v, n);
		if (sb.err || fwrite(sb.s, 1, sb.len, stdout) != sb.len || fflush(stdout) != 0) {
			fprintf(stderr, "paddock images: cannot write the list to stdout\n");
			st = EXIT_INVALID;
		}
	}
	sb_free(&sb);
	perr_clear(&err);
	plan_images_free(v, n);
	plan_free(p);
	return st;
}
