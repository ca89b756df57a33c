/* paddock build: cluster.yml to per-node kernel + initramfs under OUT. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "cli.h"
#include "cmdline.h"
#include "plan.h"

#ifndef PADDOCK_SRCDIR
#define PADDOCK_SRCDIR "."
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock build FILE -o OUT [-q] [--kernel generic|cloud]\n"
		"                     [--compression zstd|gzip|xz|none] [--cache DIR]\n"
		"                     [--formats kernel,initrd,...] [--root DIR]\n\n"
		"Builds a kernel and an initramfs (shared base layer + node layer) for every\n"
		"node of FILE into OUT, replacing OUT only once everything is written.\n\n"
		"  -o, --output OUT      output directory (created or replaced)\n"
		"  -q, --quiet           no progress lines\n"
		"  --kernel FLAVOUR      generic (hardware, default) or cloud (VMs)\n"
		"  --compression C       initramfs compression, default zstd\n"
		"  --cache DIR           component and base cache (default $PADDOCK_CACHE,\n"
		"                        else $HOME/.cache/paddock); fill it with `make components`\n"
		"  --formats LIST        kernel (always), initrd (also OUT/<node>/initrd.img,\n"
		"                        base and node layer in one file); iso, pxe, ipxe are\n"
		"                        made by the boot-media stage\n"
		"  --root DIR            source tree with configs/ and build/ (default\n"
		"                        $PADDOCK_ROOT, else where paddock was built)\n"
		"SOURCE_DATE_EPOCH sets every timestamp in the images (default 0).\n");
}

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "build: %s\n", line);
}

static int has_format(char *const *v, const char *f)
{
	for (; v && *v; v++)
		if (!strcmp(*v, f))
			return 1;
	return 0;
}

int cmd_build(int argc, char **argv);
int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "quiet", no_argument, NULL, 'q' },
		{ "kernel", required_argument, NULL, 'k' }, { "compression", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },  { "formats", required_argument, NULL, 'f' },
		{ "root", required_argument, NULL, 'r' },   { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *kernel = NULL, *comp = NULL, *cache = NULL, *formats = NULL, *root = NULL;
	int quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'k': kernel = optarg; break;
		case 'c': comp = optarg; break;
		case 'C': cache = optarg; break;
		case 'f': formats = optarg; break;
		case 'r': root = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !out) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *file = argv[optind];
	if (kernel && strcmp(kernel, "generic") && strcmp(kernel, "cloud")) {
		fprintf(stderr, "paddock build: --kernel: expected generic or cloud, not '%s'\n", kernel);
		return EXIT_USAGE;
	}
	enum compression cz;
	if (comp && compression_parse(comp, &cz) < 0) {
		fprintf(stderr, "paddock build: --compression: expected zstd, gzip, xz or none, not '%s'\n", comp);
		return EXIT_USAGE;
	}
	/* --formats replaces the file's paddock.formats */
	char *fcopy = NULL, *fv[8] = { NULL };
	size_t nf = 0;
	if (formats) {
		char *save = NULL;
		if (!(fcopy = strdup(formats)))
			return EXIT_INVALID;
		for (char *t = strtok_r(fcopy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (strcmp(t, "initrd") && strcmp(t, "kernel") && strcmp(t, "iso") && strcmp(t, "pxe") &&
			    strcmp(t, "ipxe")) {
				fprintf(stderr, "paddock build: --formats: unknown format '%s'\n", t);
				free(fcopy);
				return EXIT_USAGE;
			}
			if (!has_format(fv, t) && nf < 7)
				fv[nf++] = t;
		}
	}
	char *home_cache = NULL;
	if (!cache)
		cache = getenv("PADDOCK_CACHE");
	if (!cache || !*cache) {
		const char *home = getenv("HOME");
		if (!home || !*home || asprintf(&home_cache, "%s/.cache/paddock", home) < 0) {
			fprintf(stderr, "paddock build: no cache directory: set --cache, PADDOCK_CACHE or HOME\n");
			free(fcopy);
			return EXIT_USAGE;
		}
		cache = home_cache;
	}
	if (!root)
		root = getenv("PADDOCK_ROOT");
	if (!root || !*root)
		root = PADDOCK_SRCDIR;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	long long mtime = 0;
	if (sde && *sde) {
		char *end;
		mtime = strtoll(sde, &end, 10);
		if (*end || mtime < 0) {
			fprintf(stderr, "paddock build: SOURCE_DATE_EPOCH: not a number of seconds: '%s'\n", sde);
			free(home_cache);
			free(fcopy);
			return EXIT_USAGE;
		}
	}

	struct plan *p = NULL;
	struct diag_list diags = { 0 };
	struct perr err = PERR_INIT;
	struct build_node *nodes = NULL;
	struct nodecfg *cfgs = NULL;
	char **cmdlines = NULL;
	size_t n = 0;
	int status = EXIT_INVALID;
	if (plan_load(file, &p, &diags, &err) < 0) {
		cli_print_diags(&diags);
		cli_print_error(&err);
		goto out;
	}
	cli_print_diags(&diags);
	const struct plan_build_opts *po = plan_build_options(p);
	if (!kernel)
		kernel = po && po->kernel_flavour ? po->kernel_flavour : "generic";
	if (!comp && po && po->compression && compression_parse(po->compression, &cz) < 0) {
		fprintf(stderr, "paddock build: %s: unknown compression '%s'\n", file, po->compression);
		goto out;
	}
	if (!comp && !(po && po->compression))
		cz = COMPRESS_ZSTD;
	char *const *fmts = formats ? fv : po && po->formats ? po->formats : NULL;
	static char *const kernel_only[] = { "kernel", NULL };
	if (!fmts)
		fmts = kernel_only;
	n = plan_node_count(p);
	nodes = calloc(n ? n : 1, sizeof(*nodes));
	cfgs = calloc(n ? n : 1, sizeof(*cfgs));
	cmdlines = calloc(n ? n : 1, sizeof(*cmdlines));
	if (!nodes || !cfgs || !cmdlines) {
		fprintf(stderr, "paddock build: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (plan_node_config(p, i, &cfgs[i], &err) < 0) {
			cli_print_error(&err);
			goto out;
		}
		if (!(cmdlines[i] = cmdline_for_node(p, i))) {
			fprintf(stderr, "paddock build: out of memory\n");
			goto out;
		}
		nodes[i].name = plan_node_at(p, i)->name;
		nodes[i].cmdline = cmdlines[i];
		nodes[i].cfg = &cfgs[i];
	}
	struct progress prog = { say, NULL };
	struct build_request rq = {
		.root = root, .cache = cache, .out = out, .flavour = kernel, .compression = cz,
		.combined = has_format(fmts, "initrd"), .formats = fmts, .mtime = mtime, .cluster_name = plan_cluster_name(p),
		.source = file, .nodes = nodes, .n = n, .progress = quiet ? NULL : &prog,
	};
	if (build_run(&rq, &err) < 0) {
		cli_print_error(&err);
		fprintf(stderr, "paddock build: failed; %s was left as it was\n", out);
		goto out;
	}
	status = 0;
out:
	for (size_t i = 0; i < n; i++) {
		if (cfgs)
			nodecfg_free(&cfgs[i]);
		if (cmdlines)
			free(cmdlines[i]);
	}
	free(cfgs);
	free(cmdlines);
	free(nodes);
	if (p)
		plan_free(p);
	diag_free(&diags);
	perr_clear(&err);
	free(home_cache);
	free(fcopy);
	return status;
}
