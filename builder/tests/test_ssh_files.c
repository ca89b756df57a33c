/* The SSH files of a build (pki/ssh.h): what a node layer gets, what the
 * operator gets in OUT, and that OpenSSH's own tools read them as meant —
 * ssh-keygen for keys and certificates, `ssh -G` for ssh_config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "components/listfile.h"
#include "pki/ssh.h"
#include "pki/ssh_key.h"
#include "pki/state.h"
#include "testutil.h"

SCRATCH_GROUP("ssh-files")

#define CLUSTER_FMT                                                                               \
	"cluster_name: c1\n"                                                                      \
	"ssh_key_path: %s/id\n"                                                                   \
	"bastion_host:\n  address: 192.0.2.1\n  user: jump\n"                                     \
	"nodes:\n"                                                                                \
	"  - {address: 10.10.0.11, internal_address: 10.20.0.11, hostname_override: node1, user: %s,\n" \
	"     role: [etcd, controlplane, worker]}\n"                                              \
	"  - {address: 10.10.0.12, port: \"2222\", hostname_override: node2, user: ops, role: [worker]}\n"

struct got {
	char *path[16], *data[16];
	size_t len[16];
	mode_t mode[16];
	size_t n;
};

static int take(void *ctx, const char *path, char *data, size_t len, mode_t mode)
{
	struct got *g = ctx;
	if (g->n == 16) {
		free(data);
		return -E2BIG;
	}
	g->path[g->n] = strdup(path);
	g->data[g->n] = data;
	g->len[g->n] = len;
	g->mode[g->n++] = mode;
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->path[i]);
		free(g->data[i]);
	}
	g->n = 0;
}

static const char *got(const struct got *g, const char *path, mode_t mode)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->path[i], path)) {
			assert_int_equal(g->mode[i], mode);
			return g->data[i];
		}
	fail_msg("no %s", path);
	return NULL;
}

static void put(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

/* shell_output, which must succeed. */
#define run_all(...) must(shell_output(__VA_ARGS__))
static char *must(char *s)
{
	assert_non_null(s);
	return s;
}

static struct plan *load(const char *user)
{
	char yml[1024], cluster[256];
	struct perr e = PERR_INIT;
	struct plan *p = NULL;
	snprintf(yml, sizeof(yml), CLUSTER_FMT, dir, user);
	snprintf(cluster, sizeof(cluster), "%s/cluster.yml", dir);
	put("cluster.yml", yml);
	if (plan_load(cluster, &p, NULL, &e) < 0)
		fail_msg("%s", e.msg);
	return p;
}

static struct pki_state *state(void)
{
	char cluster[256];
	struct perr e = PERR_INIT;
	struct pki_state *st = NULL;
	struct pki_state_opts o = { .now = 1700000000, .create = true };
	snprintf(cluster, sizeof(cluster), "%s/cluster.yml", dir);
	assert_int_equal(pki_state_open(cluster, &o, &st, &e), 0);
	return st;
}

static void node_gets_host_key_certificate_config_and_accounts(void **state_)
{
	(void)state_;
	struct perr e = PERR_INIT;
	struct got g = { 0 }, again = { 0 };
	char *warning = NULL;
	free(run_all("rm -f %s/id %s/id.pub; ssh-keygen -q -t ed25519 -N '' -C op -f %s/id", dir, dir, dir));
	struct plan *p = load("rancher");
	struct pki_state *st = state();
	struct ssh_build b = { .st = st, .p = p, .now = 1700000000 };

	assert_int_equal(ssh_node_files(&b, 0, take, &g, &warning, &e), 0);
	assert_null(warning);
	const char *key = got(&g, "/etc/ssh/ssh_host_ed25519_key", 0600);
	const char *pub = got(&g, "/etc/ssh/ssh_host_ed25519_key.pub", 0644);
	const char *cert = got(&g, "/etc/ssh/ssh_host_ed25519_key-cert.pub", 0644);
	const char *conf = got(&g, "/etc/ssh/sshd_config", 0644);
	const char *auth = got(&g, "/etc/ssh/authorized_keys/rancher", 0644);
	const char *passwd = got(&g, "/etc/passwd", 0644), *group = got(&g, "/etc/group", 0644);
	const char *shadow = got(&g, "/etc/shadow", 0600);
	assert_int_equal(g.n, 8);

	/* the key is what sshd reads, its .pub and the certificate agree */
	put("host", key);
	put("host.pub", pub);
	put("host-cert.pub", cert);
	char *y = run_all("ssh-keygen -y -f %s/host | cut -d' ' -f1,2", dir);
	assert_int_equal(strncmp(y, pub, strlen(y) - 1), 0);
	char *l = run_all("TZ=UTC ssh-keygen -L -f %s/host-cert.pub", dir);
	assert_non_null(strstr(l, "ssh-ed25519-cert-v01@openssh.com host certificate"));
	assert_non_null(strstr(l, "Key ID: \"c1 host node1\""));
	assert_non_null(strstr(l, "Valid: from 2023-11-13T22:13:20 to "));
	assert_non_null(strstr(l, "Principals: \n                node1\n                10.10.0.11\n"
				  "                10.20.0.11\n        Critical"));
	char *fp = run_all("ssh-keygen -l -f %s/host.pub | cut -d' ' -f2", dir);
	assert_non_null(strstr(l, fp)); /* the certificate is of this very key */

	/* sshd_config: the node's user only, keys only, this key and certificate */
	assert_non_null(strstr(conf, "\nAllowUsers rancher\n"));
	assert_non_null(strstr(conf, "\nPermitRootLogin no\n"));
	assert_non_null(strstr(conf, "\nPasswordAuthentication no\n"));
	assert_non_null(strstr(conf, "\nHostKey /etc/ssh/ssh_host_ed25519_key\n"));
	assert_non_null(strstr(conf, "\nHostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub\n"));
	assert_non_null(strstr(conf, "\nAuthorizedKeysFile /etc/ssh/authorized_keys/%u\n"));
	char *op = run_all("cut -d' ' -f1,2 %s/id.pub", dir);
	assert_int_equal(strncmp(auth, op, strlen(op) - 1), 0);

	/* accounts: the user, paddockctl's group, no password anywhere */
	assert_non_null(strstr(passwd, "\nrancher:x:1000:1000:"));
	assert_non_null(strstr(group, "\npaddockctl:x:990:rancher\n"));
	for (const char *s = shadow; *s; s = strchr(s, '\n') + 1) {
		const char *c = strchr(s, ':');
		assert_int_equal(strncmp(c, ":*:", 3), 0);
	}

	/* a second build keeps the certificate the state file holds */
	assert_int_equal(ssh_node_files(&b, 0, take, &again, &warning, &e), 0);
	assert_string_equal(got(&again, "/etc/ssh/ssh_host_ed25519_key-cert.pub", 0644), cert);
	assert_string_equal(got(&again, "/etc/ssh/ssh_host_ed25519_key", 0600), key);
	got_free(&again);
	/* ... unless too little time is left */
	b.now += 3640LL * 86400;
	assert_int_equal(ssh_node_files(&b, 0, take, &again, &warning, &e), 0);
	assert_string_not_equal(got(&again, "/etc/ssh/ssh_host_ed25519_key-cert.pub", 0644), cert);
	got_free(&again);

	free(y);
	free(l);
	free(fp);
	free(op);
	got_free(&g);
	pki_state_close(st);
	plan_free(p);
}

static void users_that_cannot_log_in_are_refused(void **state_)
{
	(void)state_;
	const char *bad[] = { "root", "sshd", "paddockctl", "Admin", "-x", "a b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char quoted[32];
		snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
		struct perr e = PERR_INIT;
		struct got g = { 0 };
		char *warning = NULL;
		struct plan *p = load(quoted);
		struct pki_state *st = state();
		struct ssh_build b = { .st = st, .p = p, .now = 1700000000 };
		assert_int_equal(ssh_node_files(&b, 0, take, &g, &warning, &e), -EINVAL);
		assert_non_null(strstr(e.msg, "node node1: user"));
		if (i == 0)
			assert_non_null(strstr(e.msg, "permits no root login"));
		perr_clear(&e);
		got_free(&g);
		pki_state_close(st);
		plan_free(p);
	}
}

static void operator_gets_known_hosts_and_ssh_config(void **state_)
{
	(void)state_;
	struct perr e = PERR_INIT;
	struct strv added = STRV_INIT;
	struct plan *p = load("rancher");
	struct pki_state *st = state();
	struct ssh_build b = { .st = st, .p = p, .now = 1700000000 };
	char out[256], *text = NULL;
	size_t len;
	struct stat sb;
	snprintf(out, sizeof(out), "%s/out", dir);
	mkdir(out, 0700);

	assert_int_equal(ssh_client_files(&b, out, "out", &added, &e), 0);
	assert_int_equal(added.n, 2);
	assert_string_equal(added.v[0], "known_hosts");
	assert_string_equal(added.v[1], "ssh_config");
	for (size_t i = 0; i < 2; i++) {
		char *f = path_join(out, added.v[i]);
		assert_int_equal(stat(f, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		free(f);
	}

	/* known_hosts: the CA for every name of every node, then each host key */
	char *kh = path_join(out, "known_hosts");
	assert_int_equal(read_file(kh, 1 << 20, &text, &len, &e), 0);
	assert_non_null(strstr(text, "\n@cert-authority node1,10.10.0.11,10.20.0.11,node2,10.10.0.12,"
				     "[node2]:2222,[10.10.0.12]:2222 ssh-ed25519 "));
	char *ca = NULL;
	assert_int_equal(ssh_key_public_line(pki_ssh_ca_key(st), "c1 SSH CA", &ca, &e), 0);
	assert_non_null(strstr(text, ca));
	char *f = run_all("ssh-keygen -F node1 -f %s | grep -v '^#'", kh);
	assert_non_null(strstr(f, "node1,10.10.0.11,10.20.0.11 ssh-ed25519 "));
	free(f);
	f = run_all("ssh-keygen -F '[10.10.0.12]:2222' -f %s | grep -c ssh-ed25519", kh);
	assert_string_equal(f, "2\n"); /* the CA line and node2's own */
	free(f);

	/* ssh_config as ssh reads it */
	f = run_all("cd %s && ssh -G -F out/ssh_config node1 </dev/null 2>/dev/null", dir);
	assert_non_null(strstr(f, "\nhostname 10.10.0.11\n"));
	assert_non_null(strstr(f, "\nport 22\n"));
	assert_non_null(strstr(f, "\nuser rancher\n"));
	assert_non_null(strstr(f, "\nhostkeyalias node1\n"));
	assert_non_null(strstr(f, "\nstricthostkeychecking true\n"));
	assert_non_null(strstr(f, "\nuserknownhostsfile out/known_hosts known_hosts\n"));
	assert_non_null(strstr(f, "\nidentitiesonly yes\n"));
	assert_non_null(strstr(f, "\nproxyjump paddock-bastion\n"));
	assert_non_null(strstr(f, "/id\n"));
	free(f);
	f = run_all("cd %s && ssh -G -F out/ssh_config node2 </dev/null 2>/dev/null", dir);
	assert_non_null(strstr(f, "\nport 2222\n"));
	assert_non_null(strstr(f, "\nuser ops\n"));
	free(f);
	f = run_all("cd %s && ssh -G -F out/ssh_config paddock-bastion </dev/null 2>/dev/null", dir);
	assert_non_null(strstr(f, "\nhostname 192.0.2.1\n"));
	assert_non_null(strstr(f, "\nuser jump\n"));
	assert_null(strstr(f, "\nproxyjump"));
	free(f);

	free(ca);
	free(kh);
	free(text);
	strv_clear(&added);
	pki_state_close(st);
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_gets_host_key_certificate_config_and_accounts),
		cmocka_unit_test(users_that_cannot_log_in_are_refused),
		cmocka_unit_test(operator_gets_known_hosts_and_ssh_config),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
