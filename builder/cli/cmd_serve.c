/* paddock serve OUT --interface IF [--dhcp | --proxy] [--port N] [--once]
 * [--json] [--status], and paddock status OUT. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "serve/serve.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: paddock serve OUT --interface IF [--dhcp | --proxy] [--port N] [--once] [--json]\n"
		"       paddock serve --status OUT   (or: paddock status OUT)\n\n"
		"Network-boots the nodes of a `paddock build` output (built with the ipxe format)\n"
		"on the provisioning LAN behind IF, and shows them coming up.\n\n"
		"Debian's dnsmasq (dnsmasq-base) runs as a child for DHCP and TFTP; TFTP serves\n"
		"Debian's iPXE loaders only (undionly.kpxe for BIOS PXE, snponly.efi for UEFI\n"
		"PXE).  paddock serves HTTP on IF's address: boot.ipxe, each node's script\n"
		"(<mac>.ipxe, its kernel line with paddock.report=URL added), the kernels,\n"
		"base.img, snponly.efi (UEFI HTTP boot) and nodes/<node>.img.  A MAC of no\n"
		"node gets a message and nothing to boot.\n\n"
		"A node's layer (it holds the node's private keys) goes only to an address on\n"
		"IF's subnet that the kernel's neighbour table ties to that node's paddock.mac\n"
		"(and, with --dhcp, that dnsmasq leased to that MAC); every refusal is logged.\n"
		"This does not stop a machine on the same LAN that spoofs the node's MAC: use\n"
		"an isolated provisioning VLAN.\n\n"
		"  --interface IF  the provisioning LAN's interface; it needs an IPv4 address\n"
		"  --dhcp          paddock's dnsmasq is the LAN's DHCP server: each node with a\n"
		"                  paddock.mac gets its planned address, other machines none;\n"
		"                  refused when another DHCP server answers on IF\n"
		"  --proxy         (default) another DHCP server hands out addresses; dnsmasq\n"
		"                  answers only the boot options (ProxyDHCP)\n"
		"  --port N        the HTTP port (default 8080)\n"
		"  --once          a node's layer is sent whole once per boot cycle, then 410;\n"
		"                  the node's next fetch of its own script starts a new cycle\n"
		"  --json          one JSON object per event and line on stdout\n"
		"  --status        print the fleet table the server keeps in OUT/serve/status.json\n\n"
		"Nodes report their stages (init, network, state-disk, system-docker,\n"
		"etcd-member, etcd-healthy, role-containers, failed) with POST /report, signed\n"
		"with the key in their layer (OUT/<node>/report.key).  On a terminal the\n"
		"table redraws in place; otherwise one line per event.  Logs go to stderr.\n\n"
		"Refuses, before starting anything: a missing interface or one without an\n"
		"IPv4 address, a taken port (HTTP, 67, 69, 4011 with --proxy), an OUT that\n"
		"`paddock audit` fails or that another paddock version wrote, and --dhcp\n"
		"beside another DHCP server.  Runs as root.  Stops on SIGINT or SIGTERM.\n\n"
		"exit status: 0 stopped by a signal, 1 refused or failed, 2 usage error\n");
}

static int status(const char *out)
{
	struct perr err = PERR_INIT;
	if (serve_status(out, stdout, &err) < 0) {
		cli_print_error(&err);
		perr_clear(&err);
		return EXIT_INVALID;
	}
	return 0;
}

static void status_usage(FILE *f)
{
	fprintf(f, "usage: paddock status OUT\n\n"
		   "Prints the fleet table a running (or stopped) `paddock serve OUT` keeps in\n"
		   "OUT/serve/status.json: per node MAC, address, last stage, time since\n"
		   "power-on, bytes.  The same as `paddock serve --status OUT`.\n\n"
		   "exit status: 0 printed, 1 no state to print, 2 usage error\n");
}

int cmd_status(int argc, char **argv)
{
	const char *out;
	int st = cli_file_args(argc, argv, status_usage, NULL, NULL, &out);
	return st != CLI_GO_ON ? st : status(out);
}

int cmd_serve(int argc, char **argv)
{
	struct serve_opts o = { .port = 8080 };
	bool want_status = false, proxy = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--dhcp")) {
			o.dhcp = true;
		} else if (!strcmp(a, "--proxy")) {
			proxy = true;
		} else if (!strcmp(a, "--once")) {
			o.once = true;
		} else if (!strcmp(a, "--json")) {
			o.json = true;
		} else if (!strcmp(a, "--status")) {
			want_status = true;
		} else if (!strncmp(a, "--interface=", 12)) {
			o.iface = a + 12;
		} else if (!strcmp(a, "--interface") && val) {
			o.iface = argv[++i];
		} else if ((!strcmp(a, "--port") && val) || !strncmp(a, "--port=", 7)) {
			char *end;
			const char *v = a[6] == '=' ? a + 7 : argv[++i];
			long p = strtol(v, &end, 10);
			if (*end || !*v || p < 1 || p > 65535) {
				fprintf(stderr, "paddock serve: --port: '%s' is not a port number\n", v);
				return EXIT_USAGE;
			}
			o.port = (int)p;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "paddock serve: unknown option or missing value '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		} else if (o.out) {
			fprintf(stderr, "paddock serve: one OUT only\n");
			return EXIT_USAGE;
		} else {
			o.out = a;
		}
	}
	if (!o.out) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (want_status)
		return status(o.out);
	if (o.dhcp && proxy) {
		fprintf(stderr, "paddock serve: --dhcp or --proxy, not both\n");
		return EXIT_USAGE;
	}
	if (!o.iface) {
		fprintf(stderr, "paddock serve: --interface IF is required\n");
		return EXIT_USAGE;
	}
	/* sendfile to a client that went away must not kill the server */
	signal(SIGPIPE, SIG_IGN);
	struct serve_state s;
	struct perr err = PERR_INIT;
	int r = serve_setup(&o, &s, &err);
	if (r >= 0) {
		s.output = o.json ? SERVE_JSON : isatty(STDOUT_FILENO) ? SERVE_TABLE : SERVE_LINES;
		r = serve_run(&s, &err);
	}
	if (r < 0) {
		perr_wrap(&err, "serve");
		cli_print_error(&err);
	}
	perr_clear(&err);
	serve_state_free(&s);
	return r < 0 ? EXIT_INVALID : 0;
}
