/* dropbear's host key file (pki/ssh_privkey.h) against dropbear itself:
 * the pinned dropbear-bin of configs/components.lock (from the component
 * cache, $PADDOCK_CACHE else ~/.cache/paddock, filled by `make components`)
 * converts paddock's OpenSSH key file with `dropbearconvert openssh
 * dropbear`, and the bytes must be paddock's own dropbear file; dropbearkey
 * reads paddock's file back to the same public key.  Exits 77 (skipped)
 * when the cache lacks dropbear-bin or the libraries it links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/crypto.h>

#include "components/component.h"
#include "components/listfile.h"
#include "components/lock.h"
#include "pki/ssh_key.h"
#include "pki/ssh_privkey.h"
#include "testutil.h"

static char dir[] = "/tmp/paddock-test-ssh-dropbear.XXXXXX";
/* the dropbear-bin tree, and LD_LIBRARY_PATH for what its programs link */
static char *tree, *libs;

static void put(const char *name, const void *data, size_t len)
{
	char *p = path_join(dir, name);
	struct perr e = PERR_INIT;
	assert_int_equal(write_file(p, data, len, 0600, &e), 0);
	free(p);
}

static void converts_to_the_same_bytes(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	for (int round = 0; round < 8; round++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		char *openssh = NULL, *mine = NULL, *line = NULL;
		size_t olen = 0, mlen = 0;
		assert_non_null(k);
		assert_int_equal(ssh_private_key_file(k, "host", &openssh, &olen, &e), 0);
		assert_int_equal(ssh_dropbear_key_file(k, &mine, &mlen, &e), 0);
		assert_int_equal(mlen, 83);
		put("openssh", openssh, olen);
		put("mine", mine, mlen);
		char *out = shell_output("cd %s && rm -f theirs && LD_LIBRARY_PATH=%s %s/usr/lib/dropbear/dropbearconvert "
					 "openssh dropbear openssh theirs >/dev/null 2>&1 && echo ok",
					 dir, libs, tree);
		assert_non_null(out);
		free(out);
		char *theirs_path = path_join(dir, "theirs"), *theirs = NULL;
		size_t tlen = 0;
		assert_int_equal(read_file(theirs_path, 1024, &theirs, &tlen, &e), 0);
		assert_int_equal(tlen, mlen);
		assert_memory_equal(theirs, mine, mlen);
		/* dropbearkey reads ours: the same public key line */
		char *pub = shell_output("LD_LIBRARY_PATH=%s %s/usr/bin/dropbearkey -y -f %s/mine | grep '^ssh-ed25519 ' | "
					 "cut -d' ' -f1,2", libs, tree, dir);
		assert_non_null(pub);
		assert_int_equal(ssh_key_public_line(k, NULL, &line, &e), 0);
		assert_string_equal(pub, line);
		if (round == 0)
			print_message("dropbearconvert and paddock agree (83 bytes); dropbearkey -y: %s", pub);
		free(pub);
		free(line);
		free(theirs_path);
		OPENSSL_clear_free(theirs, tlen);
		OPENSSL_clear_free(mine, mlen);
		OPENSSL_clear_free(openssh, olen);
		EVP_PKEY_free(k);
	}
	/* dropbear host keys here are Ed25519 */
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(ssh_dropbear_key_file(ec, &data, &len, &e), -ENOTSUP);
	perr_clear(&e);
	EVP_PKEY_free(ec);
}

/* The tree of a lock file component, unpacked in the cache as builds do;
 * NULL (with why) when the cache does not have it. */
static char *tree_of(const struct lock *lock, const char *name, const char *cache, char *why, size_t n)
{
	const struct component *c = lock_find(lock, name);
	char *deb = c ? component_cache_path(c, cache) : NULL, *t = NULL;
	struct perr e = PERR_INIT;
	int fresh = 0;
	if (!deb || access(deb, R_OK) < 0 || component_tree(c, cache, &t, &fresh, &e) < 0) {
		snprintf(why, n, "%s is not in %s (make components)", name, cache);
		perr_clear(&e);
		t = NULL;
	}
	free(deb);
	return t;
}

int main(void)
{
	char why[512] = "no cache: set PADDOCK_CACHE or HOME", *cache = test_cache_dir(), *tc = NULL, *tm = NULL;
	struct lock lock = { 0 };
	struct perr e = PERR_INIT;
	if (lock_load("configs/components.lock", &lock, &e) < 0) {
		snprintf(why, sizeof why, "%s", e.msg ? e.msg : "cannot read configs/components.lock");
		perr_clear(&e);
	} else if (cache && (tree = tree_of(&lock, "dropbear-bin", cache, why, sizeof why)) &&
		   (tc = tree_of(&lock, "libtomcrypt1", cache, why, sizeof why)) &&
		   (tm = tree_of(&lock, "libtommath1", cache, why, sizeof why)) &&
		   asprintf(&libs, "%s/usr/lib/x86_64-linux-gnu:%s/usr/lib/x86_64-linux-gnu", tc, tm) < 0) {
		return 1;
	}
	lock_free(&lock);
	free(tc);
	free(tm);
	if (!libs) {
		printf("SKIP: %s\n", why);
		free(tree);
		free(cache);
		return 77;
	}
	if (scratch_make(dir) < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(converts_to_the_same_bytes),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	scratch_remove(dir);
	free(tree);
	free(libs);
	free(cache);
	return r;
}
