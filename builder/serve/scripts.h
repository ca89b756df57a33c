/* scripts: the iPXE scripts paddock serve answers with.  boot.ipxe chains
 * the booting NIC's own script (${mac:hexhyp}: the NIC iPXE booted from,
 * not necessarily net0); a node's script is the one `paddock build` wrote
 * (OUT/ipxe/<mac>.ipxe) with its URLs pointed at this server and
 * paddock.report=URL added to the kernel line; a MAC of no node gets a
 * message and nothing to boot. */
#ifndef PADDOCK_SERVE_SCRIPTS_H
#define PADDOCK_SERVE_SCRIPTS_H

/* base: "http://IP:PORT/" */
char *script_boot(const char *base);
/* built: the build's script; build_base: the URL prefix it was built with
 * ("" for relative URLs); report: the report URL. */
char *script_node(const char *built, const char *build_base, const char *base, const char *report);
char *script_unknown(const char *mac);
/* The URL prefix a build's boot.ipxe chains to ("" when relative), or NULL
 * when it does not look like paddock's. */
char *script_build_base(const char *boot_ipxe);

#endif
