/* The SSH files of a build (pki/ssh.h): what a node layer gets, that a
 * state file saved and opened again gives the same host key, what the
 * operator gets in OUT, and that OpenSSH's own tools read them as meant —
 * ssh-keygen for keys, certificates and known_hosts, `ssh -G` for
 * ssh_config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "pki/keys.h"
#include "pki/pki.h"
#include "pki/ssh.h"
#include "pki/ssh_key.h"
#include "pki/ssh_sshd_config.h"
#include "testutil.h"

SCRATCH_GROUP("ssh-files")

#define CLUSTER_FMT                                                                               \
	"cluster_name: c1\n"                                                                      \
	"ssh_key_path: %s/id\n"                                                                   \
	"bastion_host:\n  address: 192.0.2.1\n  user: jump\n"                                     \
	"nodes:\n"                                                                                \
	"  - {address: 10.10.0.11, internal_address: 10.20.0.11, hostname_override: node1, user: rancher,\n" \
	"     role: [etcd, controlplane, worker]}\n"                                              \
	"  - {address: 10.10.0.12, port: \"2222\", hostname_override: node2, user: ops, role: [worker]}\n"

static const struct appl_file *got(const struct appl_files *f, const char *path, mode_t mode)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].path, path)) {
			assert_int_equal(f->v[i].mode, mode);
			assert_int_equal(f->v[i].uid, 0);
			assert_int_equal(f->v[i].gid, 0);
			return &f->v[i];
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

static struct plan *load(void)
{
	char yml[1024], cluster[256];
	struct perr e = PERR_INIT;
	struct plan *p = NULL;
	snprintf(yml, sizeof(yml), CLUSTER_FMT, dir);
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
	if (pki_state_open(cluster, &o, &st, &e) < 0)
		fail_msg("%s", e.msg);
	return st;
}

static void node_gets_openssh_host_key_certificate_config_and_accounts(void **state_)
{
	(void)state_;
	struct perr e = PERR_INIT;
	struct appl_files f = { 0 }, again = { 0 };
	char *warning = NULL;
	free(run_all("rm -f %s/id %s/id.pub; ssh-keygen -q -t ed25519 -N '' -C op -f %s/id", dir, dir, dir));
	struct plan *p = load();
	struct pki_state *st = state();

	assert_int_equal(ssh_node_files(st, p, 0, &f, &warning, &e), 0);
	assert_null(warning);
	assert_int_equal(f.n, 8);
	const struct appl_file *key = got(&f, SSH_HOST_KEY, 0600), *pub = got(&f, SSH_HOST_KEY ".pub", 0644);
	const struct appl_file *cert = got(&f, SSH_HOST_CERT, 0644), *conf = got(&f, SSH_SSHD_CONFIG, 0644);
	const struct appl_file *auth = got(&f, "/etc/ssh/authorized_keys/rancher", 0644);

	/* OpenSSH reads the key file; its public key is the state's, and .pub's */
	char *line = NULL;
	assert_int_equal(ssh_key_public_line(pki_node_ssh_host_key(st, "node1"), "node1", &line, &e), 0);
	assert_string_equal(pub->data, line);
	free(line);
	put("host", key->data);
	put("host.pub", pub->data);
	char *derived = run_all("ssh-keygen -y -f %s/host", dir);
	assert_int_equal(strncmp(derived, pub->data, strlen(derived) - 1), 0);
	free(derived);

	/* a host certificate for the node's names, signed by the cluster's SSH CA */
	put("host-cert.pub", cert->data);
	char *l = run_all("ssh-keygen -L -f %s/host-cert.pub", dir);
	assert_non_null(strstr(l, "ssh-ed25519-cert-v01@openssh.com host certificate"));
	assert_non_null(strstr(l, "Principals: \n                node1\n                10.10.0.11\n"
				  "                10.20.0.11\n"));
	assert_non_null(strstr(l, "Key ID: \"c1 host node1\""));
	char *ca = NULL;
	assert_int_equal(ssh_key_public_line(pki_ssh_ca_key(st), "ca", &ca, &e), 0);
	put("ca.pub", ca);
	free(ca);
	char *cafp = run_all("ssh-keygen -l -f %s/ca.pub | cut -d' ' -f2", dir);
	cafp[strcspn(cafp, "\n")] = '\0';
	assert_non_null(strstr(l, cafp));
	free(cafp);
	free(l);

	/* sshd_config: keys only, the node's user alone, the key and its certificate */
	const char *want[] = { "\nHostKey " SSH_HOST_KEY "\n", "\nHostCertificate " SSH_HOST_CERT "\n",
			       "\nAllowUsers rancher\n", "\nPermitRootLogin no\n", "\nPasswordAuthentication no\n",
			       "\nKbdInteractiveAuthentication no\n", "\nMaxAuthTries 3\n",
			       "\nAuthorizedKeysFile " SSH_AUTHORIZED_KEYS_DIR "/%u\n", "\nPort 22\n" };
	for (size_t k = 0; k < sizeof(want) / sizeof(*want); k++)
		if (!strstr(conf->data, want[k]))
			fail_msg("sshd_config has no %s", want[k]);

	/* the accounts: the user in group paddockctl, no password anywhere */
	assert_non_null(strstr(got(&f, "/etc/passwd", 0644)->data, "\nrancher:x:1000:1000:"));
	assert_non_null(strstr(got(&f, "/etc/group", 0644)->data, "\npaddockctl:x:990:rancher\n"));
	assert_non_null(strstr(got(&f, "/etc/shadow", 0600)->data, "\nrancher:*:"));

	/* the operator's key, derived from the private key when no .pub is there */
	char *op = run_all("echo \"" SSH_KEY_OPTIONS " $(cut -d' ' -f1,2 %s/id.pub)\"", dir);
	assert_int_equal(strncmp(auth->data, op, strlen(op) - 1), 0);
	free(run_all("rm %s/id.pub && echo gone", dir));
	assert_int_equal(ssh_node_files(st, p, 0, &again, &warning, &e), 0);
	assert_int_equal(strncmp(got(&again, "/etc/ssh/authorized_keys/rancher", 0644)->data, op, strlen(op) - 1), 0);
	/* OpenSSH reads the options */
	put("authorized_keys", auth->data);
	free(run_all("ssh-keygen -l -f %s/authorized_keys", dir));
	assert_memory_equal(got(&again, SSH_HOST_KEY, 0600)->data, key->data, key->len);
	assert_string_equal(got(&again, SSH_HOST_CERT, 0644)->data, cert->data); /* kept in the state */
	appl_files_free(&again);
	free(op);

	/* nothing to read: a warning, no authorized_keys */
	free(run_all("rm %s/id && echo gone", dir));
	assert_int_equal(ssh_node_files(st, p, 1, &again, &warning, &e), 0);
	assert_non_null(warning);
	assert_non_null(strstr(warning, "sshd will accept no key"));
	assert_int_equal(again.n, 7);
	assert_non_null(strstr(got(&again, SSH_SSHD_CONFIG, 0644)->data, "\nAllowUsers ops\n"));
	/* sshd listens on the node's `port`, where ssh_config sends ssh */
	assert_non_null(strstr(got(&again, SSH_SSHD_CONFIG, 0644)->data, "\nPort 2222\n"));
	assert_null(strstr(got(&again, SSH_SSHD_CONFIG, 0644)->data, "\nPort 22\n"));
	struct sshd_settings bad = { .node = "n", .user = "u", .port = "0", .host_key = "k", .host_cert = "c",
				     .host_algorithms = "a" };
	char *text = NULL;
	assert_int_equal(sshd_config_text(&bad, &text, &e), -EINVAL);
	perr_clear(&e);
	free(warning);
	appl_files_free(&again);

	appl_files_free(&f);
	pki_state_close(st);
	plan_free(p);
}

/* A second build from the same state file gives every node the same host
 * key and certificate, byte for byte; another cluster's state others. */
static void host_keys_persist_in_the_state_file(void **state_)
{
	(void)state_;
	struct perr e = PERR_INIT;
	struct appl_files first = { 0 }, second = { 0 };
	char *warning = NULL, path[256];
	struct plan *p = load();
	snprintf(path, sizeof(path), "%s/cluster.paddock-state", dir);
	unlink(path);
	struct pki_state *st = state();
	assert_int_equal(ssh_node_files(st, p, 1, &first, &warning, &e), 0);
	free(warning);
	assert_int_equal(pki_state_save(st, &e), 0);
	pki_state_close(st);

	st = state();
	assert_int_equal(ssh_node_files(st, p, 1, &second, &warning, &e), 0);
	free(warning);
	const struct appl_file *a = got(&first, SSH_HOST_KEY, 0600), *b = got(&second, SSH_HOST_KEY, 0600);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->data, b->data, a->len);
	assert_string_equal(got(&first, SSH_HOST_CERT, 0644)->data, got(&second, SSH_HOST_CERT, 0644)->data);
	pki_state_close(st);
	appl_files_free(&second);

	unlink(path);
	st = state();
	assert_int_equal(ssh_node_files(st, p, 1, &second, &warning, &e), 0);
	free(warning);
	assert_memory_not_equal(got(&second, SSH_HOST_KEY, 0600)->data, a->data, a->len);
	assert_string_not_equal(got(&second, SSH_HOST_CERT, 0644)->data, got(&first, SSH_HOST_CERT, 0644)->data);
	pki_state_close(st);
	appl_files_free(&first);
	appl_files_free(&second);
	plan_free(p);
}

static void operator_gets_known_hosts_and_ssh_config(void **state_)
{
	(void)state_;
	struct perr e = PERR_INIT;
	struct plan *p = load();
	struct pki_state *st = state();
	char *kh = NULL, *sc = NULL, out[256];
	snprintf(out, sizeof(out), "%s/out", dir);
	mkdir(out, 0700);
	assert_int_equal(ssh_client_texts(st, p, "out", &kh, &sc, &e), 0);
	put("out/known_hosts", kh);
	put("out/ssh_config", sc);

	/* known_hosts: the CA for every name of every node, then each host key */
	assert_non_null(strstr(kh, "\n@cert-authority node1,10.10.0.11,10.20.0.11,node2,10.10.0.12,"
				   "[node2]:2222,[10.10.0.12]:2222 ssh-ed25519 "));
	char *ca = NULL, *host = NULL;
	assert_int_equal(ssh_key_public_line(pki_ssh_ca_key(st), "c1 SSH CA", &ca, &e), 0);
	assert_non_null(strstr(kh, ca));
	assert_int_equal(ssh_key_public_line(pki_node_ssh_host_key(st, "node2"), "node2", &host, &e), 0);
	assert_non_null(strstr(kh, "\nnode2,10.10.0.12,[node2]:2222,[10.10.0.12]:2222 "));
	assert_non_null(strstr(kh, host));
	char *f = run_all("ssh-keygen -F node1 -f %s/out/known_hosts | grep -v '^#'", dir);
	assert_non_null(strstr(f, "node1,10.10.0.11,10.20.0.11 ssh-ed25519 "));
	free(f);
	f = run_all("ssh-keygen -F '[10.10.0.12]:2222' -f %s/out/known_hosts | grep -c ssh-ed25519", dir);
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
	free(f);
	f = run_all("cd %s && ssh -G -F out/ssh_config paddock-bastion </dev/null 2>/dev/null", dir);
	assert_non_null(strstr(f, "\nhostname 192.0.2.1\n"));
	assert_non_null(strstr(f, "\nuser jump\n"));
	assert_null(strstr(f, "\nproxyjump"));
	free(f);

	/* an OUT name ssh_config cannot quote */
	free(kh);
	free(sc);
	assert_int_equal(ssh_client_texts(st, p, "a\"b", &kh, &sc, &e), -EINVAL);
	perr_clear(&e);

	free(ca);
	free(host);
	pki_state_close(st);
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_gets_openssh_host_key_certificate_config_and_accounts),
		cmocka_unit_test(host_keys_persist_in_the_state_file),
		cmocka_unit_test(operator_gets_known_hosts_and_ssh_config),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
