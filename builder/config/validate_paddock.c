/* validate_paddock: paddock's own keys (the `paddock:` blocks): values,
 * static addressing that can work, and nodes that would boot as one. */
#include "config/validate_paddock.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diskspec.h"
#include "config/netaddr.h"
#include "config/strset.h"
#include "out/outdir.h"

static int boot_fail(struct vctx *v, const struct ynode *blk, const char *prefix, const char *key,
		     const char *fmt, const char *a)
{
	const struct ynode *at = blk;
	const char *k = key;
	if (key && !strncmp(key, "network.", 8)) {
		at = ymap_get(blk, "network");
		k = key + 8;
		if (!at || at->kind != Y_MAP)
			at = blk, k = "network";
	}
	int line, col;
	value_pos(at, k, &line, &col);
	if (!blk)
		value_pos(NULL, NULL, &line, &col);
	char *msg = NULL;
	if (asprintf(&msg, fmt, a ? a : "") < 0)
		return fail_oom(v);
	int r = FAIL_AT(v, line, col, "%s.%s: %s", prefix, key, msg);
	free(msg);
	return r;
}

static int check_boot(struct vctx *v, const struct cfg_boot *b, const struct ynode *blk,
		      const char *prefix, const struct cfg_node *node)
{
	struct ipaddr a, g;
	int plen = 0;
	if (b->net_mode && strcmp(b->net_mode, "dhcp") && strcmp(b->net_mode, "static"))
		return boot_fail(v, blk, prefix, "network.mode", "`%s`: use dhcp or static", b->net_mode);
	bool stat = b->net_mode && !strcmp(b->net_mode, "static");
	if (b->net_address) {
		if (!cidr_parse(b->net_address, &a, &plen))
			return boot_fail(v, blk, prefix, "network.address", "`%s` is not an address "
					 "with a prefix length, e.g. 10.10.0.11/24", b->net_address);
		if (ip4_is_net_or_bcast(&a, plen))
			return boot_fail(v, blk, prefix, "network.address", "`%s` is the network or "
					 "broadcast address of its prefix, not a host address",
					 b->net_address);
	}
	if (b->net_gateway && !ip_parse(b->net_gateway, &g))
		return boot_fail(v, blk, prefix, "network.gateway", "`%s` is not an IP address",
				 b->net_gateway);
	for (size_t i = 0; i < b->dns.n; i++) {
		struct ipaddr d;
		if (!ip_parse(b->dns.v[i], &d))
			return boot_fail(v, blk, prefix, "network.dns", "`%s` is not an IP address",
					 b->dns.v[i]);
	}
	if (node) {
		if (stat && !b->net_address)
			return boot_fail(v, blk, prefix, "network.address", "mode static needs an "
					 "address (e.g. 10.10.0.11/24)%s", NULL);
		if (!stat && b->net_address && ymap_get(ymap_get(blk, "network"), "address"))
			return boot_fail(v, blk, prefix, "network.address", "an address is given but "
					 "mode is dhcp; set mode: static%s", NULL);
		if (stat && b->net_gateway) {
			if (!ip_same_prefix(&a, &g, plen))
				return boot_fail(v, blk, prefix, "network.gateway", "`%s` is outside "
						 "the node's prefix", b->net_gateway);
			if (!memcmp(a.b, g.b, sizeof(a.b)))
				return boot_fail(v, blk, prefix, "network.gateway", "`%s` is the "
						 "node's own address", b->net_gateway);
		}
		if (stat && b->net_address) {
			/* the static address should be one RKE uses for the node */
			char *ip = strndup(b->net_address, strcspn(b->net_address, "/"));
			if (ip && strcmp(ip, node->address ? node->address : "") &&
			    strcmp(ip, node->internal_address ? node->internal_address : "")) {
				int line, col;
				value_pos(ymap_get(blk, "network"), "address", &line, &col);
				diag_add(v->diags, v->c->file, line, col,
					 "%s.network.address: %s is neither the node's address nor "
					 "its internal_address", prefix, ip);
			}
			free(ip);
		}
	}
	if (b->state_disk && *b->state_disk) {
		struct diskspec ds;
		const char *why = NULL;
		if (diskspec_parse(b->state_disk, &ds, &why) < 0) {
			char *msg = NULL;
			if (asprintf(&msg, "`%s` %s", b->state_disk, why) < 0)
				return fail_oom(v);
			int r = boot_fail(v, blk, prefix, "state_disk", "%s", msg);
			free(msg);
			return r;
		}
	}
	if (b->kernel_args) {
		for (const char *p = b->kernel_args; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return boot_fail(v, blk, prefix, "kernel_args", "control characters "
						 "(newline, tab, ...) are not allowed%s", NULL);
		if (strstr(b->kernel_args, "${"))
			return boot_fail(v, blk, prefix, "kernel_args", "`${` would be expanded by the "
					 "iPXE scripts%s", NULL);
	}
	return 0;
}

/* A node's name is its directory in OUT, and part of file names there
 * (<name>.vmlinuz is the longest): not one of OUT's own, and short enough. */
static int check_node_name(struct vctx *v, size_t i)
{
	const struct cfg_node *n = &v->c->nodes[i];
	const size_t longest = 255 - strlen(".vmlinuz");
	bool taken = n->hostname_override && outdir_name_taken(n->hostname_override);
	if (!n->hostname_override || (!taken && strlen(n->hostname_override) <= longest))
		return 0;
	bool own = ymap_get(n->y, "hostname_override") && !ynode_is_null(ymap_get(n->y, "hostname_override"));
	int line, col;
	value_pos(n->y, own ? "hostname_override" : "address", &line, &col);
	if (!taken)
		return FAIL_AT(v, line, col, "nodes[%zu].%s: is %zu characters long; paddock's output names "
			       "files after the node (<name>.vmlinuz), so at most %zu", i,
			       own ? "hostname_override" : "address", strlen(n->hostname_override), longest);
	return FAIL_AT(v, line, col, "nodes[%zu].%s: `%s` is taken by paddock's output (base.img, vmlinuz, "
		       "manifest.json, SHA256SUMS, tftp/, ipxe/ and their temporaries): a node's directory "
		       "cannot have that name; %s", i, own ? "hostname_override" : "address",
		       n->hostname_override, own ? "choose another" : "set hostname_override");
}

/* Fails at nodes[second], whose key ("mac" or "network.address") has the
 * value nodes[first]'s has. */
static int fail_same(struct vctx *v, size_t first, size_t second, const char *key, const char *what,
		     const char *val)
{
	const struct cfg_node *n = &v->c->nodes[second];
	const struct ynode *blk = ymap_get(n->y, "paddock");
	char prefix[48], msg[64];
	snprintf(prefix, sizeof(prefix), "nodes[%zu].paddock", second);
	snprintf(msg, sizeof(msg), "%%s is also the %s of nodes[%zu]", what, first);
	return boot_fail(v, blk ? blk : n->y, prefix, key, msg, val);
}

int paddock_check_boot_dups(struct vctx *v)
{
	struct cluster *c = v->c;
	size_t n = c->nnodes, first = 0, second = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	char **ips = calloc(n ? n : 1, sizeof(*ips));
	int r = 0;
	if (!keys || !ips) {
		r = fail_oom(v);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = c->nodes[i].boot.mac;
	int d = find_duplicate(keys, n, &first, &second);
	if (d) {
		r = d < 0 ? fail_oom(v) : fail_same(v, first, second, "mac", "MAC", c->nodes[second].boot.mac);
		goto out;
	}
	/* static addresses, compared as addresses (10.0.0.1/24 vs 10.0.0.1/16) */
	for (size_t i = 0; i < n; i++) {
		const struct cfg_boot *b = &c->nodes[i].boot;
		struct ipaddr a;
		int p;
		keys[i] = NULL;
		if (b->net_address && !strcmp(b->net_mode, "static") && cidr_parse(b->net_address, &a, &p)) {
			char buf[64];
			if (!inet_ntop(a.family, a.b, buf, sizeof(buf)) || !(ips[i] = strdup(buf))) {
				r = fail_oom(v);
				goto out;
			}
			keys[i] = ips[i];
		}
	}
	d = find_duplicate(keys, n, &first, &second);
	if (d < 0)
		r = fail_oom(v);
	else if (d)
		r = fail_same(v, first, second, "network.address", "address",
			      c->nodes[second].boot.net_address);
out:
	for (size_t i = 0; ips && i < n; i++)
		free(ips[i]);
	free(ips);
	free(keys);
	return r;
}

int paddock_check_keys(struct vctx *v)
{
	struct cluster *c = v->c;
	struct cfg_paddock *p = &c->paddock;
	const struct ynode *pd = ymap_get(c->root, "paddock");
	static const char *const kernels[] = { "generic", "cloud", NULL };
	static const char *const comps[] = { "zstd", "gzip", "xz", "none", NULL };
	static const char *const formats[] = { "kernel", "iso", "pxe", "ipxe", NULL };
	int r;
	if (!str_in_set(p->kernel, kernels))
		return fail_path(v, "paddock.kernel", "`%s`: use generic (hardware) or cloud (VMs)%s",
				 p->kernel, NULL);
	if (!str_in_set(p->compression, comps))
		return fail_path(v, "paddock.compression", "`%s`: use zstd, gzip, xz or none%s",
				 p->compression, NULL);
	if (p->formats.n == 0)
		return fail_path(v, "paddock.formats", "is empty: nothing would be built (leave it out "
				 "for all of kernel, iso, pxe, ipxe)%s%s", NULL, NULL);
	for (size_t i = 0; i < p->formats.n; i++) {
		if (!str_in_set(p->formats.v[i], formats))
			return fail_path(v, "paddock.formats", "`%s`: formats are kernel, iso, pxe and "
					 "ipxe%s", p->formats.v[i], NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->formats.v[i], p->formats.v[j]))
				return fail_path(v, "paddock.formats", "`%s` is listed twice%s",
						 p->formats.v[i], NULL);
	}
	const char *why = p->http_base && *p->http_base ? http_base_problem(p->http_base) : NULL;
	/* a URL with credentials is not repeated */
	if (why && strchr(p->http_base, '@'))
		return fail_path(v, "paddock.http_base", "%s%s", why, NULL);
	if (why)
		return fail_path(v, "paddock.http_base", "`%s` %s", p->http_base, why);
	if (!*p->console || strpbrk(p->console, " /\t\n"))
		return fail_path(v, "paddock.console", "`%s` is not a console device name (e.g. "
				 "ttyS0 or ttyS0,115200)%s", p->console, NULL);
	if (p->etcd_image && strcmp(p->etcd_image, "bundled") && strcmp(p->etcd_image, "registry"))
		return fail_path(v, "paddock.etcd_image", "`%s`: use bundled (paddock's etcd, built from "
				 "Debian's etcd-server, in the image) or registry (system_images.etcd)%s",
				 p->etcd_image, NULL);
	if (p->menu_timeout < 0 || p->menu_timeout > 3600)
		return fail_path(v, "paddock.menu_timeout", "must be 0-3600 seconds%s%s", NULL, NULL);
	if (p->snapshot_interval_secs && (p->snapshot_interval_secs < 10 || p->snapshot_interval_secs > 31536000))
		return fail_path(v, "paddock.snapshot_interval_secs", "must be 10-31536000 seconds (0 or unset: "
				 "services.etcd's interval)%s%s", NULL, NULL);
	if (c->restore.restore && c->restore.snapshot_name &&
	    (strchr(c->restore.snapshot_name, '/') || *c->restore.snapshot_name == '.'))
		return fail_path(v, "restore.snapshot_name", "`%s` is not a snapshot's file name (the etcd "
				 "nodes look for it in /opt/rke/etcd-snapshots)%s", c->restore.snapshot_name, NULL);
	if ((r = check_boot(v, &p->defaults, ymap_get(pd, "defaults"), "paddock.defaults", NULL)) < 0)
		return r;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct cfg_node *n = &c->nodes[i];
		const struct ynode *blk = ymap_get(n->y, "paddock");
		char prefix[48];
		snprintf(prefix, sizeof(prefix), "nodes[%zu].paddock", i);
		const struct ynode *at = blk ? blk : n->y;
		if (n->boot.mac) {
			char norm[18];
			if (!mac_parse(n->boot.mac, norm))
				return boot_fail(v, at, prefix, "mac", "`%s` is not a MAC address "
						 "(aa:bb:cc:dd:ee:ff)", n->boot.mac);
			unsigned first = (unsigned)strtoul(norm, NULL, 16);
			if (first & 1)
				return boot_fail(v, at, prefix, "mac", "`%s` is a multicast address, "
						 "not a NIC's", norm);
			if (!strcmp(norm, "00:00:00:00:00:00"))
				return boot_fail(v, at, prefix, "mac", "`%s` is not a usable address",
						 norm);
			strcpy(c->nodes[i].boot.mac, norm);
		}
		if ((r = check_boot(v, &n->boot, at, prefix, n)) < 0 || (r = check_node_name(v, i)) < 0)
			return r;
	}
	return 0;
}
