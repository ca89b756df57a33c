/* paddock build: cluster.yml to per-node kernel + initramfs under OUT. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build_cluster.h"
#include "cli/cli.h"
#include "cli/locate.h"
#include "progress.h"
#include "image/cpio.h"

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
		"                        else $HOME/.cache/paddock); fill it with `paddock components`\n"
		"  --formats LIST        kernel (always), initrd (also OUT/<node>/initrd.img,\n"
		"                        base and node layer in one file), iso (OUT/<node>/<node>.iso,\n"
		"                        BIOS+UEFI, CD+USB), pxe (OUT/tftp/, BIOS), ipxe (OUT/ipxe/);\n"
		"                        default: paddock.formats, else all\n"
		"  --http-base URL       where OUT/ipxe/ will be served (default paddock.http_base,\n"
		"                        else paths relative to boot.ipxe)\n"
		"  --syslinux-dir DIR    isolinux.bin, pxelinux.0, *.c32 (default: Debian's places)\n"
		"  --grub-dir DIR        GRUB x86_64-efi modules (default /usr/lib/grub/x86_64-efi)\n"
		"  --root DIR            source tree with configs/ and build/ (default\n"
		"                        $PADDOCK_ROOT, else the install paddock runs from,\n"
		"                        else where paddock was built)\n"
		"  --metadata FILE       RKE's data.json: the Kubernetes version data to use\n"
		"                        instead of the data paddock carries (default\n"
		"                        $PADDOCK_METADATA); manifest.json names it\n"
		"SOURCE_DATE_EPOCH sets every timestamp in the images (default 0).\n");
}

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "build: %s\n", line);
}

/* A rejected file's error is printed here, between its warnings and the
 * notes that explain it; *(bool *)ctx says it was. */
static void print_diags(void *ctx, const struct diag_list *d, const struct perr *load_err)
{
	cli_print_report(d, load_err);
	if (load_err)
		*(bool *)ctx = true;
}

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "paddock build: warning: %s\n", msg);
}

/* 0 when every word of the --formats list is a format. */
static int check_formats(const char *formats)
{
	char *copy = strdup(formats), *save = NULL;
	int r = copy ? 0 : EXIT_INVALID;
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !r; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "initrd") && strcmp(t, "kernel") && strcmp(t, "iso") && strcmp(t, "pxe") &&
		    strcmp(t, "ipxe")) {
			fprintf(stderr, "paddock build: --formats: unknown format '%s'\n", t);
			r = EXIT_USAGE;
		}
	}
	free(copy);
	return r;
}

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
	struct build_options o = { 0 };
	int quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case 'q': quiet = 1; break;
		case 'k': o.kernel = optarg; break;
		case 'c': o.compression = optarg; break;
		case 'C': o.cache = optarg; break;
		case 'f': o.formats = optarg; break;
		case 'r': o.root = optarg; break;
		case 'H': o.http_base = optarg; break;
		case 'S': o.syslinux_dir = optarg; break;
		case 'G': o.grub_dir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !o.out) {
		usage(stderr);
		return EXIT_USAGE;
	}
	o.file = argv[optind];
	if (o.kernel && strcmp(o.kernel, "generic") && strcmp(o.kernel, "cloud")) {
		fprintf(stderr, "paddock build: --kernel: expected generic or cloud, not '%s'\n", o.kernel);
		return EXIT_USAGE;
	}
	enum compression cz;
	if (o.compression && compression_parse(o.compression, &cz) < 0) {
		fprintf(stderr, "paddock build: --compression: expected zstd, gzip, xz or none, not '%s'\n",
			o.compression);
		return EXIT_USAGE;
	}
	int st = o.formats ? check_formats(o.formats) : 0;
	if (st)
		return st;
	struct paddock_dirs dirs;
	if ((st = locate_dirs("build", o.root, o.cache, true, &dirs)))
		return st;
	o.root = dirs.data;
	o.products = dirs.products;
	o.cache = dirs.cache;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		o.source_date_epoch = strtoll(sde, &end, 10);
		if (*end || o.source_date_epoch < 0) {
			fprintf(stderr, "paddock build: SOURCE_DATE_EPOCH: not a number of seconds: '%s'\n", sde);
			paddock_dirs_free(&dirs);
			return EXIT_USAGE;
		}
	}
	struct progress prog = { say, NULL };
	bool error_printed = false;
	struct build_report report = { print_diags, print_warning, &error_printed };
	o.progress = quiet ? NULL : &prog;
	o.report = &report;
	struct perr err = PERR_INIT;
	enum build_failure failure;
	if (build_cluster(&o, &failure, &err) < 0) {
		if (!error_printed)
			cli_print_error(&err);
		if (failure == BUILD_FAILED_OUTPUT)
			fprintf(stderr, "paddock build: failed; %s was left as it was\n", o.out);
		st = EXIT_INVALID;
	}
	perr_clear(&err);
	paddock_dirs_free(&dirs);
	return st;
}
