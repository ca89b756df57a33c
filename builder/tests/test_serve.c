/* paddock serve's pure parts: dnsmasq's configuration in both modes and
 * its log lines, the node-layer access rule on a fake neighbour table and
 * lease file, the report parser and verifier, the served scripts and the
 * fleet table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "serve/access.h"
#include "serve/dnsmasq_conf.h"
#include "serve/dnsmasq_log.h"
#include "serve/fleet.h"
#include "serve/leases.h"
#include "serve/report.h"
#include "serve/scripts.h"

static const struct dnsmasq_host hosts[] = {
	{ "52:54:00:00:02:01", "10.10.0.11", "node1" },
	{ "52:54:00:00:02:02", "10.10.0.12", "node2" },
};

static struct dnsmasq_conf conf(bool proxy)
{
	return (struct dnsmasq_conf){ .proxy = proxy, .iface = "br0", .server_ip = "10.10.0.1", .network = "10.10.0.0",
				      .netmask = "255.255.255.0", .http_port = 8080, .tftp_root = "/run/x/tftp",
				      .leasefile = "/run/x/leases", .hosts = hosts, .n_hosts = 2, .ra = true };
}

static void dnsmasq_full_dhcp(void **state)
{
	(void)state;
	struct dnsmasq_conf c = conf(false);
	char *t = dnsmasq_conf_text(&c);
	assert_non_null(t);
	static const char *const want[] = {
		"\nport=0\n", "\ninterface=br0\n", "\nbind-interfaces\n", "\ntftp-root=/run/x/tftp\n",
		"\ndhcp-leasefile=/run/x/leases\n", "\ndhcp-range=10.10.0.0,static,255.255.255.0,1h\n",
		"\ndhcp-host=52:54:00:00:02:01,10.10.0.11,node1\n", "\ndhcp-host=52:54:00:00:02:02,10.10.0.12,node2\n",
		"\ndhcp-boot=tag:!ipxe,tag:!efi64,tag:!efihttp,undionly.kpxe\n", "\ndhcp-boot=tag:!ipxe,tag:efi64,snponly.efi\n",
		"\ndhcp-option-force=tag:efihttp,60,HTTPClient\n",
		"\ndhcp-boot=tag:!ipxe,tag:efihttp,http://10.10.0.1:8080/snponly.efi\n",
		"\ndhcp-boot=tag:ipxe,http://10.10.0.1:8080/boot.ipxe\n", "\nenable-ra\n", "\nra-param=br0,0,0\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(t, want[i]))
			fail_msg("missing %s in:\n%s", want[i], t);
	assert_null(strstr(t, "proxy"));
	assert_null(strstr(t, "pxe-service"));
	free(t);
}

static void dnsmasq_proxy(void **state)
{
	(void)state;
	struct dnsmasq_conf c = conf(true);
	char *t = dnsmasq_conf_text(&c);
	assert_non_null(t);
	assert_non_null(strstr(t, "\ndhcp-range=10.10.0.0,proxy,255.255.255.0\n"));
	assert_non_null(strstr(t, "\ndhcp-userclass=set:ipxe,iPXE\n"));
	assert_non_null(strstr(t, "\npxe-service=tag:!ipxe,x86PC,\"paddock\",undionly.kpxe\n"));
	assert_non_null(strstr(t, "\npxe-service=tag:!ipxe,x86-64_EFI,\"paddock\",snponly.efi\n"));
	assert_non_null(strstr(t, "\npxe-service=tag:!ipxe,BC_EFI,\"paddock\",snponly.efi\n"));
	assert_non_null(strstr(t, "\npxe-service=tag:ipxe,x86PC,\"paddock\",http://10.10.0.1:8080/boot.ipxe\n"));
	assert_non_null(strstr(t, "\npxe-service=tag:ipxe,BC_EFI,\"paddock\",http://10.10.0.1:8080/boot.ipxe\n"));
	assert_null(strstr(t, "dhcp-host="));  /* addresses are the other server's */
	assert_null(strstr(t, "dhcp-boot="));  /* proxy mode ignores it */
	assert_non_null(strstr(t, "\nra-param=br0,0,0\n"));
	free(t);
	c.ra = false; /* no IPv6 address on the interface: no RA lines */
	t = dnsmasq_conf_text(&c);
	assert_null(strstr(t, "ra-param"));
	assert_null(strstr(t, "enable-ra"));
	free(t);
}

static void dnsmasq_log_lines(void **state)
{
	(void)state;
	struct dnsmasq_line d;
	dnsmasq_log_parse("dnsmasq-dhcp[12]: DHCPOFFER(br0) 10.10.0.11 52:54:00:00:02:01 ", &d);
	assert_int_equal(d.kind, DNSMASQ_DHCP);
	assert_string_equal(d.mac, "52:54:00:00:02:01");
	assert_string_equal(d.ip, "10.10.0.11");
	dnsmasq_log_parse("dnsmasq-dhcp[12]: PXE(br0) 52:54:00:00:02:0A proxy", &d);
	assert_int_equal(d.kind, DNSMASQ_DHCP);
	assert_string_equal(d.mac, "52:54:00:00:02:0a");
	assert_string_equal(d.ip, "");
	dnsmasq_log_parse("dnsmasq-tftp[12]: sent /run/p/tftp/undionly.kpxe to 10.10.0.12", &d);
	assert_int_equal(d.kind, DNSMASQ_TFTP_SENT);
	assert_string_equal(d.file, "undionly.kpxe");
	assert_string_equal(d.ip, "10.10.0.12");
	dnsmasq_log_parse("dnsmasq-dhcp[12]: DHCPDISCOVER(br0) 52:54:00:00:02:01", &d);
	assert_int_equal(d.kind, DNSMASQ_NONE);
	dnsmasq_log_parse("dnsmasq[12]: started, version 2.90 DNS disabled", &d);
	assert_int_equal(d.kind, DNSMASQ_NONE);
}

static const char arp[] =
	"IP address       HW type     Flags       HW address            Mask     Device\n"
	"10.10.0.11       0x1         0x2         52:54:00:00:02:01     *        br0\n"
	"10.10.0.12       0x1         0x2         52:54:00:00:02:02     *        br0\n"
	"10.10.0.13       0x1         0x0         00:00:00:00:00:00     *        br0\n"
	"10.10.0.14       0x1         0x2         52:54:00:00:02:01     *        eth9\n";
static const char leases[] = "0 52:54:00:00:02:01 10.10.0.11 node1 *\n"
			     "1700000000 52:54:00:00:02:02 10.10.0.99 node2 01:52:54:00:00:02:02\n";

static enum access_verdict ask(const char *peer, uint32_t peer_n, const char *mac, bool dhcp, bool used,
			       char got[MAC_STR_LEN])
{
	struct access_query q = { .peer = peer_n, .net = 0x0a0a0000, .mask = 0xffffff00, .peer_ip = peer,
				  .iface = "br0", .node_mac = mac, .neigh_text = arp,
				  .lease_text = dhcp ? leases : NULL, .once_used = used };
	return access_check(&q, got);
}

static void access_rule(void **state)
{
	(void)state;
	char m[MAC_STR_LEN];
	assert_int_equal(ask("10.10.0.11", 0x0a0a000b, "52:54:00:00:02:01", true, false, m), ACCESS_OK);
	assert_string_equal(m, "52:54:00:00:02:01");
	/* without --dhcp no lease is asked for */
	assert_int_equal(ask("10.10.0.11", 0x0a0a000b, "52:54:00:00:02:01", false, false, m), ACCESS_OK);
	/* node2's address asking for node1's layer */
	assert_int_equal(ask("10.10.0.12", 0x0a0a000c, "52:54:00:00:02:01", true, false, m), ACCESS_WRONG_MAC);
	assert_string_equal(m, "52:54:00:00:02:02");
	/* a routed peer */
	assert_int_equal(ask("10.20.0.11", 0x0a14000b, "52:54:00:00:02:01", false, false, m), ACCESS_OFF_SUBNET);
	/* incomplete entry, and an entry on another interface */
	assert_int_equal(ask("10.10.0.13", 0x0a0a000d, "52:54:00:00:02:03", false, false, m), ACCESS_NO_NEIGHBOUR);
	assert_int_equal(ask("10.10.0.14", 0x0a0a000e, "52:54:00:00:02:01", false, false, m), ACCESS_NO_NEIGHBOUR);
	/* --dhcp: node2 holds 10.10.0.99, not the address it asks from */
	assert_int_equal(ask("10.10.0.12", 0x0a0a000c, "52:54:00:00:02:02", true, false, m), ACCESS_NOT_LEASED);
	assert_int_equal(ask("10.10.0.12", 0x0a0a000c, "52:54:00:00:02:02", false, false, m), ACCESS_OK);
	/* --once */
	assert_int_equal(ask("10.10.0.11", 0x0a0a000b, "52:54:00:00:02:01", true, true, m), ACCESS_ONCE_USED);
	char ip[16];
	assert_int_equal(leases_lookup(leases, "52:54:00:00:02:02", ip), 0);
	assert_string_equal(ip, "10.10.0.99");
	assert_int_equal(leases_lookup(leases, "52:54:00:00:02:03", ip), -ENOENT);
}

static const unsigned char key[REPORT_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const char body[] = "node=node1 boot=0b8f2c1e-54c5-4d51-a1d0-9f5f2b8c77aa seq=3 t=12345 stage=etcd-healthy "
			   "detail=3%20members\n";

static int post(struct report_book *b, const char *text, const char *sig, struct report *r)
{
	struct report_node nodes[2] = { { .name = "node1", .has_key = true }, { .name = "node2", .has_key = false } };
	memcpy(nodes[0].key, key, sizeof(key));
	struct perr err = PERR_INIT;
	size_t i = 99;
	int st = report_accept(b, nodes, 2, text, strlen(text), sig, r, &i, &err);
	if (st == 204)
		assert_int_equal(i, 0);
	else
		assert_non_null(err.msg);
	perr_clear(&err);
	return st;
}

static void reports(void **state)
{
	(void)state;
	struct report_book b = { 0 };
	struct report r;
	char sig[72];
	assert_int_equal(report_sign_header(body, strlen(body), key, sig), 0);
	assert_int_equal(post(&b, body, sig, &r), 204);
	assert_string_equal(r.node, "node1");
	assert_string_equal(r.stage, "etcd-healthy");
	assert_int_equal(r.seq, 3);
	assert_int_equal(r.t, 12345);
	assert_string_equal(r.detail, "3 members");
	report_clear(&r);
	/* the same report again, and a lower seq: replays */
	assert_int_equal(post(&b, body, sig, &r), 409);
	/* bad and missing signature; a key that is not node1's */
	char bad[72];
	memcpy(bad, sig, sizeof(bad));
	bad[10] = bad[10] == '0' ? '1' : '0';
	assert_int_equal(post(&b, body, bad, &r), 401);
	assert_int_equal(post(&b, body, NULL, &r), 401);
	unsigned char other[REPORT_KEY_LEN] = { 9 };
	const char *b2 = "node=node1 boot=0b8f2c1e-54c5-4d51-a1d0-9f5f2b8c77aa seq=4 t=1 stage=failed";
	assert_int_equal(report_sign_header(b2, strlen(b2), other, bad), 0);
	assert_int_equal(post(&b, b2, bad, &r), 401);
	assert_int_equal(report_sign_header(b2, strlen(b2), key, sig), 0);
	assert_int_equal(post(&b, b2, sig, &r), 204);
	assert_null(r.detail);
	report_clear(&r);
	/* unknown node, node without a key */
	const char *b3 = "node=node9 boot=ab seq=1 t=1 stage=init\n";
	assert_int_equal(report_sign_header(b3, strlen(b3), key, sig), 0);
	assert_int_equal(post(&b, b3, sig, &r), 401);
	const char *b4 = "node=node2 boot=ab seq=1 t=1 stage=init\n";
	assert_int_equal(report_sign_header(b4, strlen(b4), key, sig), 0);
	assert_int_equal(post(&b, b4, sig, &r), 401);
	/* a new boot starts its own sequence */
	const char *b5 = "node=node1 boot=ffff seq=1 t=1 stage=init\n";
	assert_int_equal(report_sign_header(b5, strlen(b5), key, sig), 0);
	assert_int_equal(post(&b, b5, sig, &r), 204);
	report_clear(&r);
	/* malformed, signed or not */
	static const char *const malformed[] = {
		"", "\n", "node=node1", "boot=ab node=node1 seq=1 t=1 stage=init", "node=node1 boot=ab seq=1 t=1 stage=booting",
		"node=node1 boot=ab seq=-1 t=1 stage=init", "node=node1 boot=ab seq=1 t=1 stage=init\n\n",
		"node=node1 boot=ab seq=99999999999999999999999 t=1 stage=init", "node=Node1 boot=ab seq=1 t=1 stage=init",
		"node=node1 boot=ab seq=1 t=1 stage=init detail=a b", "node=node1 boot=ab seq=1 t=1 stage=init detail=%4",
		"node=node1 boot=AB seq=1 t=1 stage=init", "node=node1 boot=ab seq=1 t=1 stage=init extra=1",
		"node=node1  boot=ab seq=1 t=1 stage=init", "node=node1 boot=ab seq= t=1 stage=init",
		"node=node1 boot=ab-12 seq=1", /* the fuzzer's first find: read past the end */
	};
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		assert_int_equal(report_sign_header(malformed[i], strlen(malformed[i]), key, sig), 0);
		if (post(&b, malformed[i], sig, &r) != 400)
			fail_msg("accepted malformed report '%s'", malformed[i]);
	}
	report_book_free(&b);
}

static void scripts_served(void **state)
{
	(void)state;
	const char *built = "#!ipxe\n:start\n"
			    "kernel --name vmlinuz http://old:80/p/vmlinuz initrd=base.img quiet BOOTIF=01-x || goto failed\n"
			    "initrd --name node.img http://old:80/p/nodes/node1.img || goto failed\n";
	char *s = script_node(built, "http://old:80/p/", "http://10.10.0.1:8080/", "http://10.10.0.1:8080/report");
	assert_string_equal(s, "#!ipxe\n:start\n"
			       "kernel --name vmlinuz http://10.10.0.1:8080/vmlinuz initrd=base.img quiet BOOTIF=01-x "
			       "paddock.report=http://10.10.0.1:8080/report || goto failed\n"
			       "initrd --name node.img http://10.10.0.1:8080/nodes/node1.img || goto failed\n");
	free(s);
	s = script_node("kernel vmlinuz a=1\n", "", "http://h/", "http://h/report");
	assert_string_equal(s, "kernel vmlinuz a=1 paddock.report=http://h/report\n");
	free(s);
	s = script_build_base("#!ipxe\n:start\nchain http://old:80/p/${net0/mac:hexhyp}.ipxe || goto unknown\n");
	assert_string_equal(s, "http://old:80/p/");
	free(s);
	s = script_build_base("#!ipxe\n:start\nchain ${net0/mac:hexhyp}.ipxe || goto unknown\n");
	assert_string_equal(s, "");
	free(s);
	s = script_unknown("52:54:00:00:09:09");
	assert_non_null(strstr(s, "unknown MAC 52:54:00:00:09:09"));
	assert_null(strstr(s, "kernel"));
	assert_null(strstr(s, "chain"));
	free(s);
}

static void fleet_table_and_state(void **state)
{
	(void)state;
	struct fleet f = { 0 };
	assert_int_equal(fleet_add(&f, "node1", "52:54:00:00:02:01", "10.10.0.11"), 0);
	assert_int_equal(fleet_add(&f, "node2", "52:54:00:00:02:02", ""), 0);
	long long t0 = 1700000000000LL;
	fleet_apply(&f, &(struct fleet_event){ .when_ms = t0, .row = 0, .stage = "dhcp", .ip = "10.10.0.11" });
	fleet_apply(&f, &(struct fleet_event){ .when_ms = t0 + 2000, .row = 0, .stage = "base", .bytes = 3 << 20 });
	fleet_apply(&f, &(struct fleet_event){ .when_ms = t0 + 3000, .row = 0, .stage = "dhcp" }); /* iPXE again */
	fleet_apply(&f, &(struct fleet_event){ .when_ms = t0 + 65000, .row = 0, .stage = "etcd-healthy",
						.from_node = true, .node_ms = 50000 });
	fleet_apply(&f, &(struct fleet_event){ .when_ms = t0, .row = FLEET_NO_ROW, .stage = "refused" });
	assert_int_equal(f.rows[0].since_ms, t0);
	struct strbuf sb = STRBUF_INIT;
	fleet_table(&sb, &f, t0 + 75000);
	assert_string_equal(sb.s,
			    "NODE         MAC               ADDRESS         STAGE                   UP        BYTES\n"
			    "node1        52:54:00:00:02:01 10.10.0.11      etcd healthy          1:15      3.0 MiB\n"
			    "node2        52:54:00:00:02:02 -               -                        -          0 B\n");
	sb_free(&sb);
	/* the node's next power-on starts its clock and byte count again */
	fleet_apply(&f, &(struct fleet_event){ .when_ms = t0 + 90000, .row = 0, .stage = "dhcp" });
	assert_int_equal(f.rows[0].since_ms, t0 + 90000);
	assert_int_equal(f.rows[0].bytes, 0);
	struct fleet_event e = { .when_ms = t0, .row = 0, .stage = "network", .from_node = true, .node_ms = 1500,
				 .detail = "eth0 \"up\"" };
	fleet_event_json(&sb, &f, &e);
	assert_string_equal(sb.s, "{\"time_ms\":1700000000000,\"node\":\"node1\",\"mac\":\"52:54:00:00:02:01\","
				  "\"address\":\"10.10.0.11\",\"stage\":\"network\",\"source\":\"node\",\"bytes\":0,"
				  "\"node_ms\":1500,\"detail\":\"eth0 \\\"up\\\"\"}\n");
	sb_free(&sb);
	/* the state file round trip */
	char *json = fleet_status_json(&f, t0 + 1);
	struct fleet g = { 0 };
	long long upd;
	struct perr err = PERR_INIT;
	assert_int_equal(fleet_status_parse(json, strlen(json), &g, &upd, &err), 0);
	assert_int_equal(upd, t0 + 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.rows[0].stage, "dhcp");
	assert_int_equal(g.rows[0].since_ms, t0 + 90000);
	assert_string_equal(g.rows[1].name, "node2");
	free(json);
	fleet_free(&g);
	fleet_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dnsmasq_full_dhcp), cmocka_unit_test(dnsmasq_proxy),
		cmocka_unit_test(dnsmasq_log_lines), cmocka_unit_test(access_rule),
		cmocka_unit_test(reports),           cmocka_unit_test(scripts_served),
		cmocka_unit_test(fleet_table_and_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
