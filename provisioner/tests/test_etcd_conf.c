/* etcd's conf as the builder writes it: flags read and rewritten, peers,
 * host paths through the binds, uid:gid; etcd's JSON answers parsed; the
 * status file's lines. */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "etcd_client.h"
#include "etcd_conf.h"
#include "fsutil.h"
#include "nodecfg.h"
#include "prov_status.h"

static const char conf[] =
	"name=etcd\n"
	"image=paddock/etcd:3.4.23-debian\n"
	"user=52034:52035\n"
	"net=host\n"
	"command=etcd\n"
	"command=--data-dir=/var/lib/rancher/etcd/\n"
	"command=--name=etcd-node1\n"
	"command=--initial-cluster=etcd-node1=https://10.10.0.11:2380,etcd-node2=https://10.10.0.12:2380\n"
	"command=--initial-cluster-state=new\n"
	"command=--trusted-ca-file=/etc/kubernetes/ssl/kube-ca.pem\n"
	"command=--cert-file=/etc/kubernetes/ssl/kube-etcd-10-10-0-11.pem\n"
	"command=--key-file=/etc/kubernetes/ssl/kube-etcd-10-10-0-11-key.pem\n"
	"volume=/var/lib/etcd:/var/lib/rancher/etcd/:z\n"
	"volume=/etc/kubernetes:/etc/kubernetes:z\n";

static void load(const char *text, struct etcd_conf *ec, int want)
{
	struct perr err = PERR_INIT;
	struct nodecfg c = { 0 };
	struct svcconf sc = { 0 };

	assert_int_equal(nodecfg_parse("t.conf", text, strlen(text), &c, &err), 0);
	assert_int_equal(svcconf_from_nodecfg("t.conf", &c, &sc, &err), 0);
	assert_int_equal(etcd_conf_from(&sc, ec, &err), want);
	svcconf_free(&sc);
	nodecfg_free(&c);
	perr_clear(&err);
}

static void reads_the_builders_conf(void **state)
{
	(void)state;
	struct etcd_conf ec;
	load(conf, &ec, 0);
	assert_string_equal(ec.name, "etcd-node1");
	assert_string_equal(ec.data_dir, "/var/lib/etcd");
	assert_string_equal(ec.ca, "/etc/kubernetes/ssl/kube-ca.pem");
	assert_string_equal(ec.key, "/etc/kubernetes/ssl/kube-etcd-10-10-0-11-key.pem");
	assert_true(ec.has_user);
	assert_int_equal(ec.uid, 52034);
	assert_int_equal(ec.gid, 52035);
	assert_int_equal(ec.npeers, 2);
	assert_string_equal(ec.peers[1].name, "etcd-node2");
	assert_string_equal(ec.peers[1].peer_url, "https://10.10.0.12:2380");
	assert_string_equal(ec.peers[1].client_url, "https://10.10.0.12:2379");

	/* rewriting a flag keeps the others and their order */
	assert_int_equal(etcd_flag_set(&ec.sc, "initial-cluster-state", "existing"), 0);
	assert_string_equal(etcd_flag(&ec.sc, "initial-cluster-state"), "existing");
	assert_string_equal(ec.sc.command[4], "--initial-cluster-state=existing");
	assert_int_equal(etcd_flag_set(&ec.sc, "heartbeat-interval", "250"), 0);
	assert_string_equal(ec.sc.command[8], "--heartbeat-interval=250");
	assert_null(ec.sc.command[9]);
	assert_null(etcd_flag(&ec.sc, "heartbeat"));
	etcd_conf_free(&ec);
}

static void bad_confs_say_why(void **state)
{
	(void)state;
	struct etcd_conf ec;
	char *t = strdup(conf);
	/* the data folder bound nowhere */
	char *v = strstr(t, "volume=/var/lib/etcd");
	memcpy(v, "volume=/var/lib/xxxx:/srv", 25);
	load(t, &ec, -EINVAL);
	free(t);

	t = strdup(conf);
	memcpy(strstr(t, "user=52034:52035"), "user=etcd:etcd00", 16);
	load(t, &ec, -EINVAL);
	free(t);
}

static void host_paths_through_binds(void **state)
{
	(void)state;
	struct svcconf sc = { 0 };
	char *vols[] = { "/srv/data/:/data", "/:/host:ro", NULL };
	sc.volumes = vols;
	char *a = etcd_host_path(&sc, "/data/member"), *b = etcd_host_path(&sc, "/database"),
	     *c = etcd_host_path(&sc, "/host/etc"), *d = etcd_host_path(&sc, "/data/");
	assert_string_equal(a, "/srv/data/member");
	assert_null(b);
	assert_string_equal(c, "/etc");
	assert_string_equal(d, "/srv/data");
	free(a);
	free(c);
	free(d);
}

static void peers_parse_and_refuse(void **state)
{
	(void)state;
	struct perr err = PERR_INIT;
	struct etcd_peer *p = NULL;
	size_t n = 0;
	assert_int_equal(etcd_peers_parse("a=https://[fd00::1]:2380", &p, &n, &err), 0);
	assert_string_equal(p[0].client_url, "https://[fd00::1]:2379");
	etcd_peers_free(p, n);
	assert_int_equal(etcd_peers_parse("a=https://h:2380,b", &p, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'b'"));
	perr_clear(&err);
}

/* etcd 3.4's gateway: uint64 as strings, isLearner only when true, a
 * member added but not started has no name and no client URLs. */
static void parses_etcd_answers(void **state)
{
	(void)state;
	static const char list[] =
		"{\"header\":{\"cluster_id\":\"1\",\"member_id\":\"17237436991929493444\"},\"members\":["
		"{\"ID\":\"17237436991929493444\",\"name\":\"etcd-node1\",\"peerURLs\":[\"https://10.10.0.11:2380\"],"
		"\"clientURLs\":[\"https://10.10.0.11:2379\"]},"
		"{\"ID\":\"42\",\"peerURLs\":[\"https://10.10.0.14:2380\"],\"isLearner\":true}]}";
	static const char status[] =
		"{\"header\":{\"member_id\":\"17237436991929493444\"},\"version\":\"3.4.23\",\"leader\":\"42\"}";
	struct perr err = PERR_INIT;
	struct etcd_member *m = NULL;
	size_t n = 0;
	uint64_t id = 0, leader = 0;

	assert_int_equal(etcd_parse_members(list, strlen(list), &m, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_true(m[0].id == 17237436991929493444ull);
	assert_string_equal(m[0].client_url, "https://10.10.0.11:2379");
	assert_false(m[0].learner);
	assert_string_equal(m[1].name, "");
	assert_string_equal(m[1].client_url, "");
	assert_true(m[1].learner);
	assert_int_equal(etcd_parse_status(status, strlen(status), &id, &leader, &err), 0);
	assert_true(id == 17237436991929493444ull);
	assert_true(leader == 42);

	const char *health[] = { "healthy", "?", NULL };
	struct prov_status s = { "etcd healthy", 12.5, "2 members", m, n, 42, health, NULL, NULL };
	char *t = prov_status_text(&s);
	assert_string_equal(t, "stage\tetcd healthy\t12.50\t2 members\n"
			       "member\tef37ad9dc622a7c4\tetcd-node1\thttps://10.10.0.11:2380\tvoter\t-\thealthy\n"
			       "member\t000000000000002a\t(not started)\thttps://10.10.0.14:2380\tlearner\tleader\t?\n");
	free(t);
	etcd_members_free(m, n);
	assert_true(etcd_parse_members("{\"members\":{}}", 14, &m, &n, &err) < 0);
	perr_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_builders_conf),
		cmocka_unit_test(bad_confs_say_why),
		cmocka_unit_test(host_paths_through_binds),
		cmocka_unit_test(peers_parse_and_refuse),
		cmocka_unit_test(parses_etcd_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
