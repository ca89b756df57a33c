/* The cluster state file (pki/state.h) and X.509 issuance (pki/cert.h):
 * created 0600, loaded and reused byte for byte, refused when others may
 * read it, locked against a second user; certificates carry the SANs asked
 * for and verify against their CA with OpenSSL's own X509_verify_cert. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "components/listfile.h"
#include "fsutil.h"
#include "pki/cert.h"
#include "pki/keys.h"
#include "pki/state.h"
#include "testutil.h"

SCRATCH_GROUP("pki-state")

#define NOW 1800000000LL

static char *cluster_file(const char *name)
{
	char *p = path_join(dir, name);
	assert_non_null(p);
	return p;
}

static struct pki_state *open_ok(const char *file, bool create)
{
	struct pki_state_opts o = { .now = NOW, .create = create };
	struct pki_state *st = NULL;
	struct perr err = PERR_INIT;
	if (pki_state_open(file, &o, &st, &err) < 0)
		fail_msg("pki_state_open: %s", err.msg);
	return st;
}

static void path_beside_the_cluster_file(void **state)
{
	(void)state;
	char *f = cluster_file("a.yml");
	struct pki_state *st = open_ok(f, true);
	char *want = path_join(dir, "a.paddock-state");
	assert_string_equal(pki_state_path(st), want);
	pki_state_close(st);
	/* never saved: the empty file it made is gone again */
	assert_int_equal(access(want, F_OK), -1);
	free(want);
	free(f);
}

static void created_saved_and_reused(void **state)
{
	(void)state;
	char *f = cluster_file("b.yml"), *path = path_join(dir, "b.paddock-state");
	struct perr err = PERR_INIT;
	struct pki_state *st = open_ok(f, true);
	assert_true(pki_state_is_new(st));
	assert_int_equal(pki_put(st, NULL, "x", "cluster text", &err), 0);
	assert_int_equal(pki_node_put(st, "n2", "ssh_host_cert", "two\n\"quoted\"", &err), 0);
	assert_int_equal(pki_node_put(st, "n1", "a", "one", &err), 0);
	EVP_PKEY *host = pki_node_ssh_host_key(st, "n1");
	assert_non_null(host);
	assert_true(EVP_PKEY_is_a(host, "ED25519"));
	assert_ptr_equal(pki_node_ssh_host_key(st, "n1"), host);
	assert_non_null(pki_ssh_ca_key(st));
	assert_int_equal(pki_state_save(st, &err), 0);
	pki_state_close(st);

	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	char *before = NULL;
	size_t blen;
	assert_int_equal(read_file(path, 1 << 20, &before, &blen, &err), 0);

	st = open_ok(f, false);
	assert_false(pki_state_is_new(st));
	assert_string_equal(pki_get(st, NULL, "x"), "cluster text");
	assert_string_equal(pki_node_get(st, "n2", "ssh_host_cert"), "two\n\"quoted\"");
	assert_string_equal(pki_node_get(st, "n1", "a"), "one");
	assert_null(pki_node_get(st, "n3", "a"));
	/* the same key comes back, not a new one */
	EVP_PKEY *again = pki_node_ssh_host_key(st, "n1");
	assert_non_null(again);
	char *pem = NULL;
	assert_int_equal(pki_key_to_pem(again, &pem, &err), 0);
	assert_string_equal(pem, pki_node_get(st, "n1", PKI_SLOT_SSH_HOST_KEY));
	pki_secret_free(pem);
	/* storing what is there changes nothing: the file stays as it was */
	assert_int_equal(pki_node_put(st, "n1", "a", "one", &err), 0);
	assert_int_equal(pki_state_save(st, &err), 0);
	pki_state_close(st);
	char *after = NULL;
	size_t alen;
	assert_int_equal(read_file(path, 1 << 20, &after, &alen, &err), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(before);
	free(after);
	free(path);
	free(f);
}

static void refused_when_others_may_read(void **state)
{
	(void)state;
	char *f = cluster_file("c.yaml"), *path = path_join(dir, "c.paddock-state");
	struct perr err = PERR_INIT;
	struct pki_state *st = open_ok(f, true);
	assert_int_equal(pki_put(st, NULL, "x", "y", &err), 0);
	assert_int_equal(pki_state_save(st, &err), 0);
	pki_state_close(st);
	assert_int_equal(chmod(path, 0640), 0);
	struct pki_state_opts o = { .now = NOW, .create = true };
	assert_int_equal(pki_state_open(f, &o, &st, &err), -EPERM);
	assert_non_null(strstr(err.msg, "c.paddock-state: mode 0640"));
	assert_non_null(strstr(err.msg, "chmod 600"));
	perr_clear(&err);
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(pki_state_open(f, &o, &st, &err), -EPERM);
	perr_clear(&err);
	free(path);
	free(f);
}

static void missing_or_broken_says_so(void **state)
{
	(void)state;
	char *f = cluster_file("d.yml"), *path = path_join(dir, "d.paddock-state");
	struct pki_state_opts o = { .now = NOW, .create = false };
	struct pki_state *st = NULL;
	struct perr err = PERR_INIT;
	assert_int_equal(pki_state_open(f, &o, &st, &err), -ENOENT);
	perr_clear(&err);
	assert_int_equal(write_file(path, "{\"paddock_state\": 1, \"cluster\": {\"x\": 3}}", 41, 0600, &err), 0);
	assert_true(pki_state_open(f, &o, &st, &err) < 0);
	assert_non_null(strstr(err.msg, "d.paddock-state"));
	assert_non_null(strstr(err.msg, "cluster.x: expected a string"));
	perr_clear(&err);
	assert_int_equal(write_file(path, "{\"paddock_state\": 7}", 20, 0600, &err), 0);
	assert_true(pki_state_open(f, &o, &st, &err) < 0);
	assert_non_null(strstr(err.msg, "format"));
	perr_clear(&err);
	free(path);
	free(f);
}

static void said_waiting(void *ctx, const char *path)
{
	(void)path;
	int fd = *(int *)ctx;
	if (write(fd, "w", 1) != 1)
		_exit(3);
}

static void second_user_waits_for_the_lock(void **state)
{
	(void)state;
	char *f = cluster_file("e.yml");
	struct perr err = PERR_INIT;
	struct pki_state *st = open_ok(f, true);
	assert_int_equal(pki_put(st, NULL, "x", "first", &err), 0);
	assert_int_equal(pki_state_save(st, &err), 0); /* the lock moves to the new file */
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* a lock belongs to the open file, which fork shares: let go of the parent's */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != pfd[1])
				close(fd);
		struct pki_state_opts o = { .now = NOW, .create = true, .waiting = said_waiting, .ctx = &pfd[1] };
		struct pki_state *mine = NULL;
		struct perr e = PERR_INIT;
		if (pki_state_open(f, &o, &mine, &e) < 0)
			_exit(1);
		/* it sees what the first user saved */
		const char *x = pki_get(mine, NULL, "x");
		_exit(x && !strcmp(x, "second") ? 0 : 2);
	}
	close(pfd[1]);
	char c;
	assert_int_equal(read(pfd[0], &c, 1), 1); /* the child is waiting */
	assert_int_equal(pki_put(st, NULL, "x", "second", &err), 0);
	assert_int_equal(pki_state_save(st, &err), 0);
	pki_state_close(st);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(pfd[0]);
	free(f);
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	struct perr err = PERR_INIT;
	if (read_file(path, 1 << 20, &buf, len, &err) < 0)
		fail_msg("%s", err.msg);
	return buf;
}

static void truncate_to(const char *path, off_t len)
{
	assert_int_equal(truncate(path, len), 0);
}

/* An empty or cut state file is never taken for a new cluster: the error
 * names the backup a save keeps (<state>.bak), or says there is none. */
static void damaged_state_names_the_backup(void **state)
{
	(void)state;
	char *f = cluster_file("g.yml"), *path = path_join(dir, "g.paddock-state"),
	     *bak = path_join(dir, "g.paddock-state.bak");
	struct perr err = PERR_INIT;
	struct pki_state *st = open_ok(f, true);
	assert_int_equal(pki_put(st, NULL, "x", "first", &err), 0);
	assert_int_equal(pki_state_save(st, &err), 0);
	size_t flen, len;
	char *first = slurp(path, &flen);
	/* nothing before the first save: the backup is its own copy */
	char *copy = slurp(bak, &len);
	assert_int_equal(len, flen);
	assert_memory_equal(copy, first, len);
	free(copy);
	assert_int_equal(pki_put(st, NULL, "x", "second", &err), 0);
	assert_int_equal(pki_state_save(st, &err), 0);
	pki_state_close(st);
	/* the backup is the state before the last save */
	char *kept = slurp(bak, &len);
	assert_int_equal(len, flen);
	assert_memory_equal(kept, first, len);
	struct stat sb;
	assert_int_equal(stat(bak, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);

	struct pki_state_opts o = { .now = NOW, .create = true };
	for (int cut = 0; cut < 2; cut++) {
		char *whole = slurp(path, &len);
		truncate_to(path, cut ? (off_t)len / 2 : 0);
		assert_int_equal(pki_state_open(f, &o, &st, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "g.paddock-state: "));
		assert_non_null(strstr(err.msg, "damaged"));
		assert_non_null(strstr(err.msg, "restore it from"));
		assert_non_null(strstr(err.msg, bak));
		assert_non_null(strstr(err.msg, "no new CAs"));
		perr_clear(&err);
		/* nothing was written over it */
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_size, cut ? (off_t)len / 2 : 0);
		assert_int_equal(write_file(path, whole, len, 0600, &err), 0);
		free(whole);
	}
	/* without a backup it says so */
	assert_int_equal(unlink(bak), 0);
	truncate_to(path, 0);
	assert_int_equal(pki_state_open(f, &o, &st, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "there is no"));
	assert_non_null(strstr(err.msg, "restore it from your backup"));
	perr_clear(&err);
	free(first);
	free(kept);
	free(bak);
	free(path);
	free(f);
}

static void took_the_lock(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	_exit(7); /* "waiting": the lock was held */
}

/* Whether another process finds the lock free now (it exits 0 when it gets
 * it, 7 when it would have to wait). */
static bool lock_is_free(const char *f)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		struct pki_state_opts o = { .now = NOW, .create = true, .waiting = took_the_lock };
		struct pki_state *mine = NULL;
		struct perr e = PERR_INIT;
		_exit(pki_state_open(f, &o, &mine, &e) < 0 ? 1 : 0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_true(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 7);
	return WEXITSTATUS(status) == 0;
}

/* A save renames a new file over the state file; the lock must not be on
 * the file the rename replaces, or the moment after the rename is free. */
static void lock_is_held_across_a_save(void **state)
{
	(void)state;
	char *f = cluster_file("h.yml"), *path = path_join(dir, "h.paddock-state"), *tmp = NULL;
	struct perr err = PERR_INIT;
	struct pki_state *st = open_ok(f, true);
	assert_int_equal(pki_put(st, NULL, "x", "first", &err), 0);
	assert_int_equal(pki_state_save(st, &err), 0);
	assert_false(lock_is_free(f));
	/* the middle of the next save: a new file renamed over the state file */
	size_t len;
	char *text = slurp(path, &len);
	assert_true(asprintf(&tmp, "%s.new", path) > 0);
	assert_int_equal(write_file(tmp, text, len, 0600, &err), 0);
	assert_int_equal(rename(tmp, path), 0);
	assert_false(lock_is_free(f));
	pki_state_close(st);
	assert_true(lock_is_free(f));
	free(text);
	free(tmp);
	free(path);
	free(f);
}

/* --- certificates -------------------------------------------------------- */

static X509 *issue(const struct pki_cert_spec *s, EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key)
{
	X509 *x = NULL;
	char *pem = NULL;
	struct perr err = PERR_INIT;
	if (pki_cert_issue(s, key, ca, ca_key, &pem, &err) < 0 || pki_cert_from_pem(pem, s->cn, &x, &err) < 0)
		fail_msg("pki_cert_issue: %s", err.msg);
	free(pem);
	return x;
}

static EVP_PKEY *key(enum pki_key_type t)
{
	EVP_PKEY *k = NULL;
	struct perr err = PERR_INIT;
	assert_int_equal(pki_key_generate(NULL, t, &k, &err), 0);
	return k;
}

static int verify(X509 *ca, X509 *leaf, long long at)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	assert_true(X509_STORE_add_cert(store, ca));
	assert_true(X509_STORE_CTX_init(ctx, store, leaf, NULL));
	X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
	int ok = X509_verify_cert(ctx);
	int e = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok == 1 ? 0 : e;
}

static void certificates_carry_sans_and_verify(void **state)
{
	(void)state;
	EVP_PKEY *ca_key = key(PKI_KEY_EC_P256), *k = key(PKI_KEY_EC_P256), *other = key(PKI_KEY_EC_P256);
	struct pki_cert_spec cas = { .cn = "kube-ca", .ca = true, .not_before = NOW, .not_after = NOW + 1000 };
	X509 *ca = issue(&cas, ca_key, NULL, NULL);
	char *sans[] = { "localhost", "127.0.0.1", "node1", "10.10.0.11", "fd00::1", NULL };
	struct pki_cert_spec ls = { .cn = "kube-etcd", .sans = sans, .server = true, .not_before = NOW,
				    .not_after = NOW + 100 };
	X509 *leaf = issue(&ls, k, ca, ca_key);
	assert_int_equal(verify(ca, leaf, NOW + 50), 0);
	assert_int_equal(verify(ca, leaf, NOW + 200), X509_V_ERR_CERT_HAS_EXPIRED);
	assert_int_equal(pki_cert_not_after(leaf), NOW + 100);
	assert_int_equal(X509_check_host(leaf, "node1", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(leaf, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(leaf, "node2", 0, 0, NULL), 0);
	assert_int_equal(X509_check_ip_asc(leaf, "10.10.0.11", 0), 1);
	assert_int_equal(X509_check_ip_asc(leaf, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(leaf, "fd00::1", 0), 1);
	assert_int_equal(X509_check_ip_asc(leaf, "10.10.0.12", 0), 0);
	assert_true(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER);
	assert_true(X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT);
	assert_true(X509_check_ca(ca) > 0);
	assert_false(X509_check_ca(leaf) > 0);

	/* it still fits what it was issued for, and nothing else */
	assert_true(pki_cert_matches(leaf, &ls, ca, k));
	assert_true(pki_cert_matches(ca, &cas, NULL, ca_key));
	assert_false(pki_cert_matches(leaf, &ls, ca, other));
	char *fewer[] = { "localhost", "127.0.0.1", "node1", "10.10.0.11", NULL };
	struct pki_cert_spec changed = ls;
	changed.sans = fewer;
	assert_false(pki_cert_matches(leaf, &changed, ca, k));
	changed = ls;
	changed.cn = "kube-etcd2";
	assert_false(pki_cert_matches(leaf, &changed, ca, k));
	/* a CA re-made under the same name is another CA */
	X509 *ca2 = issue(&cas, other, NULL, NULL);
	assert_false(pki_cert_matches(leaf, &ls, ca2, k));
	assert_int_equal(verify(ca2, leaf, NOW + 50), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);

	/* keys in SEC1 for EC, and back */
	struct perr err = PERR_INIT;
	char *kpem = NULL;
	X509 *back = NULL;
	EVP_PKEY *kback = NULL;
	assert_int_equal(pki_key_to_pem(k, &kpem, &err), 0);
	assert_int_equal(strncmp(kpem, "-----BEGIN EC PRIVATE KEY-----\n", 31), 0);
	assert_int_equal(pki_key_from_pem(NULL, kpem, "k", &kback, &err), 0);
	assert_int_equal(EVP_PKEY_eq(kback, k), 1);
	assert_true(pki_cert_from_pem("junk", "junk", &back, &err) < 0);
	assert_non_null(strstr(err.msg, "junk"));
	perr_clear(&err);
	/* a SAN that is neither an address nor a name is refused */
	char *bad[] = { "a b", NULL };
	changed = ls;
	changed.sans = bad;
	char *none = NULL;
	assert_true(pki_cert_issue(&changed, k, ca, ca_key, &none, &err) < 0);
	assert_non_null(strstr(err.msg, "'a b'"));
	perr_clear(&err);
	pki_secret_free(kpem);
	EVP_PKEY_free(kback);
	X509_free(ca2);
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_beside_the_cluster_file),
		cmocka_unit_test(created_saved_and_reused),
		cmocka_unit_test(refused_when_others_may_read),
		cmocka_unit_test(missing_or_broken_says_so),
		cmocka_unit_test(second_user_waits_for_the_lock),
		cmocka_unit_test(damaged_state_names_the_backup),
		cmocka_unit_test(lock_is_held_across_a_save),
		cmocka_unit_test(certificates_carry_sans_and_verify),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
