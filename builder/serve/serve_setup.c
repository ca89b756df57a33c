#include "serve/serve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "components/listfile.h"
#include "fsutil.h"
#include "serve/dnsmasq_child.h"
#include "serve/dnsmasq_conf.h"
#include "serve/scripts.h"

static const char *const loaders[] = { "undionly.kpxe", "snponly.efi" };

static int ports(const struct serve_opts *o, const struct serve_state *s, struct perr *err)
{
	int r;
	if ((r = preflight_port(SOCK_STREAM, s->addr.ip, o->port, "HTTP", err)) < 0 ||
	    (r = preflight_port(SOCK_DGRAM, NULL, 67, "DHCP", err)) < 0 ||
	    (r = preflight_port(SOCK_DGRAM, s->addr.ip, 69, "TFTP", err)) < 0 ||
	    (!o->dhcp && (r = preflight_port(SOCK_DGRAM, NULL, 4011, "ProxyDHCP", err)) < 0))
		return r;
	return 0;
}

/* The TFTP root: Debian's iPXE loaders only, copied (a symlink's target). */
static int tftp_root(struct serve_state *s, struct perr *err)
{
	const char *src = getenv("PADDOCK_IPXE_DIR");
	if (!src || !*src)
		src = "/usr/lib/ipxe";
	int r = mkdir_p(s->tftp_dir, 0755, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < 2; i++) {
		char *from = path_join(src, loaders[i]), *to = path_join(s->tftp_dir, loaders[i]);
		r = !from || !to ? perr_set(err, -ENOMEM, "out of memory")
			: check_file_readable(from) < 0
				? perr_set(err, -ENOENT, "%s: missing (install Debian's ipxe package)", from)
				: copy_file(from, to, 0644, err);
		free(from);
		free(to);
		if (r < 0)
			return r;
	}
	return 0;
}

static int write_conf(const struct serve_opts *o, struct serve_state *s, struct perr *err)
{
	struct dnsmasq_host *h = calloc(s->out.n ? s->out.n : 1, sizeof(*h));
	size_t n = 0;
	if (!h)
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < s->out.n; i++)
		if (s->out.nodes[i].mac[0] && s->out.nodes[i].ip[0])
			h[n++] = (struct dnsmasq_host){ s->out.nodes[i].mac, s->out.nodes[i].ip, s->out.nodes[i].name };
	struct dnsmasq_conf c = {
		.proxy = !o->dhcp, .iface = o->iface, .server_ip = s->addr.ip, .network = s->addr.network,
		.netmask = s->addr.netmask, .http_port = o->port, .tftp_root = s->tftp_dir, .leasefile = s->lease_path,
		.hosts = h, .n_hosts = n, .ra = s->addr.ipv6,
	};
	char *text = dnsmasq_conf_text(&c);
	free(h);
	int r = text ? write_file(s->conf_path, text, strlen(text), 0644, err) : perr_set(err, -ENOMEM, "out of memory");
	free(text);
	return r < 0 ? r : dnsmasq_check_conf(s->conf_path, err);
}

static int scripts(struct serve_state *s, struct perr *err)
{
	char *boot = NULL, *file = path_join(s->out.dir, "ipxe/boot.ipxe"), *base = NULL;
	size_t len;
	int r = file ? read_file(file, 1u << 20, &boot, &len, err) : perr_set(err, -ENOMEM, "out of memory");
	if (r < 0) {
		free(file);
		return perr_wrap(err, "no iPXE tree (build with the ipxe format)");
	}
	if (!(base = script_build_base(boot)))
		r = perr_set(err, -EINVAL, "%s: not a boot.ipxe paddock wrote", file);
	free(file);
	free(boot);
	s->boot_script = r < 0 ? NULL : script_boot(s->base_url);
	s->node_scripts = calloc(s->out.n + 1, sizeof(char *));
	for (size_t i = 0; r >= 0 && i < s->out.n; i++)
		if (s->out.nodes[i].script &&
		    !(s->node_scripts[i] = script_node(s->out.nodes[i].script, base, s->base_url, s->report_url)))
			r = perr_set(err, -ENOMEM, "out of memory");
	if (r >= 0 && (!s->boot_script || !s->node_scripts))
		r = perr_set(err, -ENOMEM, "out of memory");
	free(base);
	return r;
}

static int state_init(struct serve_state *s, struct perr *err)
{
	char tmpl[] = "/run/paddock-serve.XXXXXX", tmpl2[] = "/tmp/paddock-serve.XXXXXX";
	char *d = mkdtemp(tmpl);
	if (!d)
		d = mkdtemp(tmpl2);
	if (!d || chmod(d, 0755) < 0)
		return perr_set(err, -errno, "cannot make a runtime directory: %s", strerror(errno));
	s->run_dir = strdup(d);
	s->tftp_dir = path_join(d, "tftp");
	s->conf_path = path_join(d, "dnsmasq.conf");
	s->lease_path = path_join(d, "dnsmasq.leases");
	s->status_path = path_join(s->out.dir, SERVE_STATUS_REL);
	s->once_used = calloc(s->out.n + 1, sizeof(bool));
	if (!s->run_dir || !s->tftp_dir || !s->conf_path || !s->lease_path || !s->status_path || !s->once_used)
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < s->out.n; i++)
		if (fleet_add(&s->fleet, s->out.nodes[i].name, s->out.nodes[i].mac, s->out.nodes[i].ip) < 0)
			return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

int serve_setup(const struct serve_opts *o, struct serve_state *s, struct perr *err)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->iface = o->iface;
	s->dhcp = o->dhcp;
	s->proxy = !o->dhcp;
	s->once = o->once;
	s->port = o->port;
	int r;
	if ((r = serve_out_manifest(o->out, &s->out, err)) < 0 || (r = preflight_version(&s->out, err)) < 0 ||
	    (r = preflight_iface(o->iface, &s->addr, err)) < 0 || (r = ports(o, s, err)) < 0 ||
	    (r = preflight_audit(o->out, err)) < 0 || (r = serve_out_nodes(&s->out, err)) < 0)
		return r;
	snprintf(s->base_url, sizeof(s->base_url), "http://%s:%d/", s->addr.ip, o->port);
	snprintf(s->report_url, sizeof(s->report_url), "http://%s:%d/report", s->addr.ip, o->port);
	if ((r = scripts(s, err)) < 0 || (r = state_init(s, err)) < 0 || (r = tftp_root(s, err)) < 0 ||
	    (r = write_conf(o, s, err)) < 0)
		return r;
	if (o->dhcp && (r = preflight_dhcp(o->iface, err)) < 0)
		return r;
	char *dir = path_join(o->out, "serve");
	r = dir ? mkdir_p(dir, 0700, err) : perr_set(err, -ENOMEM, "out of memory");
	free(dir);
	return r;
}

void serve_state_free(struct serve_state *s)
{
	if (s->run_dir)
		rm_rf_quiet(s->run_dir);
	for (size_t i = 0; s->node_scripts && i < s->out.n; i++)
		free(s->node_scripts[i]);
	free(s->node_scripts);
	free(s->boot_script);
	free(s->run_dir);
	free(s->tftp_dir);
	free(s->conf_path);
	free(s->lease_path);
	free(s->status_path);
	free(s->once_used);
	fleet_free(&s->fleet);
	report_book_free(&s->book);
	serve_out_free(&s->out);
	pthread_mutex_destroy(&s->lock);
}
