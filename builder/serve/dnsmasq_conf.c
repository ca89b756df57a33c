#include "serve/dnsmasq_conf.h"

#include "strbuf.h"

char *dnsmasq_conf_text(const struct dnsmasq_conf *c)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "# written by paddock serve; dnsmasq runs as its child\n"
		       "port=0\n"
		       "interface=%s\n"
		       "bind-interfaces\n"
		       "log-facility=-\n"
		       "dhcp-leasefile=%s\n"
		       "enable-tftp\n"
		       "tftp-root=%s\n"
		       "dhcp-match=set:ipxe,175\n"
		       "dhcp-userclass=set:ipxe,iPXE\n",
		  c->iface, c->leasefile, c->tftp_root);
	if (!c->proxy) {
		/* "static": only the dhcp-host lines below get an address */
		sb_printf(&sb, "dhcp-range=%s,static,%s,1h\n", c->network, c->netmask);
		for (size_t i = 0; i < c->n_hosts; i++)
			sb_printf(&sb, "dhcp-host=%s,%s,%s\n", c->hosts[i].mac, c->hosts[i].ip, c->hosts[i].name);
		sb_printf(&sb, "dhcp-match=set:efi64,option:client-arch,7\n"
			       "dhcp-match=set:efi64,option:client-arch,9\n"
			       "dhcp-match=set:efihttp,option:client-arch,16\n"
			       "dhcp-boot=tag:!ipxe,tag:!efi64,tag:!efihttp,undionly.kpxe\n"
			       "dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi\n"
			       "dhcp-option-force=tag:efihttp,60,HTTPClient\n"
			       "dhcp-boot=tag:!ipxe,tag:efihttp,http://%s:%d/snponly.efi\n"
			       "dhcp-boot=tag:ipxe,http://%s:%d/boot.ipxe\n",
			  c->server_ip, c->http_port, c->server_ip, c->http_port);
	} else {
		sb_printf(&sb, "dhcp-range=%s,proxy,%s\n", c->network, c->netmask);
		static const char *const arch[] = { "x86PC", "x86-64_EFI", "BC_EFI" };
		static const char *const loader[] = { "undionly.kpxe", "snponly.efi", "snponly.efi" };
		for (int i = 0; i < 3; i++)
			sb_printf(&sb, "pxe-service=tag:!ipxe,%s,\"paddock\",%s\n", arch[i], loader[i]);
		for (int i = 0; i < 3; i++)
			sb_printf(&sb, "pxe-service=tag:ipxe,%s,\"paddock\",http://%s:%d/boot.ipxe\n", arch[i],
				  c->server_ip, c->http_port);
	}
	if (c->ra)
		sb_printf(&sb, "enable-ra\n"
		       "dhcp-range=::,constructor:%s,ra-only\n"
		       "ra-param=%s,0,0\n",
		  c->iface, c->iface);
	return sb_steal(&sb);
}
