/* paddock build: cluster.yml to per-node kernel + initramfs under OUT. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "image/appliance.h"
#include "cli/cli.h"
#include "plan/cmdline.h"
#include "plan/media_plan.h"
#include "plan/plan.h"

#ifndef PADDOCK_SRCDIR
#define PADDOCK_SRCDIR "."
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock build FILE -o OUT [-q] [--kernel generic|cloud]\n"
		"                     [--compression zstd|gzip|xz|none] [--cache DIR]\n"
		"                     [--formats kernel,initrd,iso,pxe,ipxe] [--root DIR]\n"
		"                     [--http-base URL] [--syslinux-dir DIR] [--grub-dir DIR]\n\n"
		"Builds a kernel and an initramfs (shared base layer + node layer) for every\n"
		"node of FILE into OUT, replacing OUT only once everything is written.\n\n"
		"  -o, --output OUT      output directory (created or replaced)\n"
		"  -q, --quiet           no progress lines\n"
		"  --kernel FLAVOUR      generic (hardware, default) or cloud (VMs)\n"
		"  --compression C       initramfs compression, default zstd\n"
		"  --cache DIR           component and base cache (default $PADDOCK_CACHE,\n"
		"                        else $HOME/.cache/paddock); fill it with `make components`\n"
		"  --formats LIST        kernel (always), initrd (also OUT/<node>/initrd.img,\n"
		"                        base and node layer in one file), iso (OUT/<node>/<node>.iso,\n"
		"                        BIOS+UEFI, CD+USB), pxe (OUT/tftp/, BIOS), ipxe (OUT/ipxe/);\n"
		"                        default: paddock.formats, else all\n"
		"  --http-base URL       where OUT/ipxe/ will be served (default paddock.http_base,\n"
		"                        else paths relative to boot.ipxe)\n"
		"  --syslinux-dir DIR    isolinux.bin, pxelinux.0, *.c32 (default: Debian's places)\n"
		"  --grub-dir DIR        GRUB x86_64-efi modules (default /usr/lib/grub/x86_64-efi)\n"
		"  --root DIR            source tree with configs/ and build/ (default\n"
		"                        $PADDOCK_ROOT, else where paddock was built)\n"
		"SOURCE_DATE_EPOCH sets every timestamp in the images (default 0).\n");
}

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "build: %s\n", line);
}

struct media_stage {
	const struct plan *plan;
	char *const *cmdlines;
	const struct media_build_opts *opts;
};

static int media_run(void *ctx, const char *dir, struct media_outputs *added, struct perr *err)
{
	const struct media_stage *s = ctx;
	char *base = NULL;
	if (asprintf(&base, "%s/base.img", dir) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = media_emit_plan(s->plan, dir, base, s->cmdlines, s->opts, added, err);
	free(base);
	return r;
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
		{ "http-base", required_argument, NULL, 'H' }, { "syslinux-dir", required_argument, NULL, 'S' },
		{ "grub-dir", required_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *kernel = NULL, *comp = NULL, *cache = NULL, *formats = NULL, *root = NULL;
	struct media_build_opts mopts = { 0 };
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
		case 'H': mopts.http_base = optarg; break;
		case 'S': mopts.syslinux_dir = optarg; break;
		case 'G': mopts.grub_dir = optarg; break;
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
	char *last_warning = NULL;
	struct os_services svcs = { 0 };
	struct appl_files *afiles = NULL;
	struct node_file **nfiles = NULL;
	size_t n = 0;
	int status = EXIT_INVALID;
	if (plan_load(file, &p, &diags, &err) < 0) {
		cli_print_diags(&diags);
		cli_print_error(&err);
		cli_print_notes(&diags);
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
	unsigned mformats = 0;
	mopts.formats = formats;
	mopts.source_date_epoch = mtime;
	if (media_plan_formats(p, &mopts, &mformats, &err) < 0) {
		cli_print_error(&err);
		goto out;
	}
	char *const *fmts = formats ? fv : po ? po->formats : NULL;
	/* the ISO boots base + node layer in one file */
	bool combined = has_format(fmts, "initrd") || (mformats & MEDIA_ISO);
	n = plan_node_count(p);
	nodes = calloc(n ? n : 1, sizeof(*nodes));
	cfgs = calloc(n ? n : 1, sizeof(*cfgs));
	cmdlines = calloc(n ? n : 1, sizeof(*cmdlines));
	afiles = calloc(n ? n : 1, sizeof(*afiles));
	nfiles = calloc(n ? n : 1, sizeof(*nfiles));
	if (!nodes || !cfgs || !cmdlines || !afiles || !nfiles) {
		fprintf(stderr, "paddock build: out of memory\n");
		goto out;
	}
	/* the os-services (os-services/ of the source tree), checked once */
	if (appliance_services(root, &svcs, &err) < 0) {
		cli_print_error(&err);
		goto out;
	}
	/* a warning shared by many nodes (one missing key file) is said once */
	size_t repeats = 0;
	for (size_t i = 0; i < n; i++) {
		char *warning = NULL;
		if (appliance_node_files(p, i, &svcs, &afiles[i], &warning, &err) < 0) {
			cli_print_error(&err);
			goto out;
		}
		if (warning && last_warning && !strcmp(warning, last_warning)) {
			repeats++;
			free(warning);
		} else if (warning) {
			fprintf(stderr, "paddock build: warning: node %s: %s\n", plan_node_at(p, i)->name, warning);
			free(last_warning);
			last_warning = warning;
		}
		if (!(nfiles[i] = calloc(afiles[i].n ? afiles[i].n : 1, sizeof(**nfiles)))) {
			fprintf(stderr, "paddock build: out of memory\n");
			goto out;
		}
		for (size_t k = 0; k < afiles[i].n; k++)
			nfiles[i][k] = (struct node_file){ afiles[i].v[k].path, afiles[i].v[k].data,
							   afiles[i].v[k].len, afiles[i].v[k].mode };
		nodes[i].files = nfiles[i];
		nodes[i].nfiles = afiles[i].n;
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
	if (repeats)
		fprintf(stderr, "paddock build: warning: the same for %zu more node(s)\n", repeats);
	struct progress prog = { say, NULL };
	struct media_stage ms = { p, cmdlines, &mopts };
	struct build_stage stage = { media_run, &ms };
	struct build_request rq = {
		.root = root, .cache = cache, .out = out, .flavour = kernel, .compression = cz,
		.combined = combined, .mtime = mtime, .cluster_name = plan_cluster_name(p),
		.source = file, .nodes = nodes, .n = n, .progress = quiet ? NULL : &prog,
		.media = mformats ? &stage : NULL,
	};
	if (build_run(&rq, &err) < 0) {
		cli_print_error(&err);
		fprintf(stderr, "paddock build: failed; %s was left as it was\n", out);
		goto out;
	}
	status = 0;
out:
	free(last_warning);
	for (size_t i = 0; i < n; i++) {
		if (cfgs)
			nodecfg_free(&cfgs[i]);
		if (cmdlines)
			free(cmdlines[i]);
		if (afiles)
			appl_files_free(&afiles[i]);
		if (nfiles)
			free(nfiles[i]);
	}
	free(afiles);
	free(nfiles);
	os_services_free(&svcs);
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
