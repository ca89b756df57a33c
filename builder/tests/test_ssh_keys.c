/* The OpenSSH encodings of builder/pki/ssh_*.c, checked by OpenSSH's own
 * ssh-keygen: public key lines (-l, -y), private key files sshd reads
 * (-y), host certificates (-L parses them and verifies the CA's
 * signature), and the operator's public key derived from every private
 * key format ssh-keygen writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <openssl/pem.h>

#include "components/listfile.h"
#include "pki/ssh_cert.h"
#include "pki/ssh_key.h"
#include "pki/ssh_privkey.h"
#include "pki/ssh_userkey.h"
#include "pki/ssh_wire.h"
#include "testutil.h"

SCRATCH_GROUP("ssh-keys")

/* The first line a shell command prints (heap, no newline), or NULL
 * when it fails. */
#define run(...) first_line(shell_output(__VA_ARGS__))
static char *first_line(char *s)
{
	if (s)
		s[strcspn(s, "\n")] = 0;
	return s;
}

static void put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	chmod(path, 0600);
}

/* "TYPE BASE64" of a line, without the comment. */
static char *two_fields(const char *line)
{
	const char *sp = strchr(line, ' ');
	assert_non_null(sp);
	size_t n = strcspn(sp + 1, " \n");
	return strndup(line, (size_t)(sp + 1 - line) + n);
}

static EVP_PKEY *keygen(const char *type)
{
	EVP_PKEY *k = !strcmp(type, "RSA") ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
		      : !strcmp(type, "ED25519") ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
						 : EVP_PKEY_Q_keygen(NULL, NULL, "EC", type);
	assert_non_null(k);
	return k;
}

static void mpints_and_base64_follow_the_rfc(void **state)
{
	(void)state;
	struct strbuf b = STRBUF_INIT;
	struct perr e = PERR_INIT;
	/* RFC 4251 section 5's examples */
	static const unsigned char v1[] = { 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7 };
	static const unsigned char want[] = { 0, 0, 0, 0, 0, 0, 0, 8, 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32,
					      0xa7, 0, 0, 0, 2, 0, 0x80 };
	ssh_put_mpint_bytes(&b, (const unsigned char *)"\0\0", 2);
	ssh_put_mpint_bytes(&b, v1, sizeof(v1));
	ssh_put_mpint_bytes(&b, (const unsigned char *)"\x80", 1);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.s, want, sizeof(want));
	sb_free(&b);

	char *s = ssh_base64("hello!?", 7);
	unsigned char *d = NULL;
	size_t n = 0;
	assert_string_equal(s, "aGVsbG8hPw==");
	assert_int_equal(ssh_unbase64(" aGVs\nbG8h Pw==\n", 16, &d, &n, &e), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(d, "hello!?", 7);
	free(d);
	free(s);
	assert_int_equal(ssh_unbase64("aGVsbG8=Pw==", 12, &d, &n, &e), -EBADMSG);
	perr_clear(&e);
	assert_int_equal(ssh_unbase64("aGVsb", 5, &d, &n, &e), -EBADMSG);
	perr_clear(&e);

	struct ssh_reader r = { (const unsigned char *)"\0\0\0\5ab", 6 };
	const unsigned char *p;
	assert_int_equal(ssh_get_string(&r, &p, &n), -EBADMSG);
}

/* ssh-keygen reads OpenSSL's PEM of the key (but for Ed25519) and prints
 * the same public line; our own private key file gives it too; -l
 * fingerprints the line. */
static void key_lines_match_ssh_keygen(void **state)
{
	(void)state;
	const char *types[] = { "ED25519", "P-256", "P-384", "P-521", "RSA" };
	char pem[256], own[256], pub[256];
	snprintf(pem, sizeof(pem), "%s/pem", dir);
	snprintf(own, sizeof(own), "%s/own", dir);
	snprintf(pub, sizeof(pub), "%s/own.pub", dir);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct perr e = PERR_INIT;
		EVP_PKEY *k = keygen(types[i]);
		char *line = NULL, *file = NULL;
		size_t flen = 0;
		FILE *f = fopen(pem, "w");
		assert_non_null(f);
		assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
		fclose(f);
		chmod(pem, 0600);
		assert_int_equal(ssh_key_public_line(k, "a comment", &line, &e), 0);
		char *mine = two_fields(line), *theirs = run("ssh-keygen -y -f %s 2>/dev/null", pem);
		/* OpenSSH 9.2 reads no Ed25519 PEM: hence ssh_privkey.h */
		if (strcmp(types[i], "ED25519")) {
			assert_non_null(theirs);
			char *theirs2 = two_fields(theirs);
			assert_string_equal(mine, theirs2);
			free(theirs2);
		}
		assert_non_null(strstr(line, " a comment\n"));

		assert_int_equal(ssh_private_key_file(k, "host", &file, &flen, &e), 0);
		assert_non_null(strstr(file, "-----BEGIN OPENSSH PRIVATE KEY-----\n"));
		put(own, file, flen);
		char *again = NULL;
		assert_int_equal(ssh_private_key_file(k, "host", &again, &flen, &e), 0);
		assert_string_equal(file, again); /* the same bytes at every build */
		char *fromown = run("ssh-keygen -y -f %s", own);
		assert_non_null(fromown);
		char *fromown2 = two_fields(fromown);
		assert_string_equal(mine, fromown2);
		put(pub, line, strlen(line));
		char *fp = run("ssh-keygen -l -f %s", pub);
		assert_non_null(fp);
		assert_non_null(strstr(fp, "SHA256:"));
		print_message("%s: %s\n", types[i], fp);

		free(fp);
		free(fromown);
		free(fromown2);
		OPENSSL_clear_free(file, strlen(file));
		OPENSSL_clear_free(again, strlen(again));
		free(mine);
		free(theirs);
		free(line);
		EVP_PKEY_free(k);
	}
}

/* A host certificate each CA type signs for each host key type: ssh-keygen
 * -L parses it (checking the signature) and shows what was asked. */
static void host_certificates_parse_in_ssh_keygen(void **state)
{
	(void)state;
	const char *ca_types[] = { "ED25519", "P-256", "P-521", "RSA" };
	const char *host_types[] = { "ED25519", "P-256", "RSA" };
	char *principals[] = { "node1", "10.10.0.11", "10.20.0.11", NULL };
	char path[256], cmd[512];
	snprintf(path, sizeof(path), "%s/host-cert.pub", dir);
	for (size_t c = 0; c < sizeof(ca_types) / sizeof(ca_types[0]); c++) {
		EVP_PKEY *ca = keygen(ca_types[c]);
		for (size_t h = 0; h < sizeof(host_types) / sizeof(host_types[0]); h++) {
			struct perr e = PERR_INIT;
			EVP_PKEY *key = keygen(host_types[h]);
			char *line = NULL;
			struct ssh_cert_request q = {
				.key = key, .ca = ca, .key_id = "paddock-ha host node1", .principals = principals,
				.serial = 4242, .valid_after = 1700000000 - 86400,
				.valid_before = 1700000000 - 86400 + 3650LL * 86400,
			};
			assert_int_equal(ssh_host_cert(&q, "node1", &line, &e), 0);
			put(path, line, strlen(line));
			char *out = shell_output("TZ=UTC ssh-keygen -L -f %s", path);
			assert_non_null(out);
			if (c == 0 && h == 0)
				print_message("%s", out);
			assert_non_null(strstr(out, "host certificate"));
			assert_non_null(strstr(out, "Key ID: \"paddock-ha host node1\""));
			assert_non_null(strstr(out, "Serial: 4242"));
			assert_non_null(strstr(out, "Valid: from 2023-11-13T22:13:20 to 2033-11-10T22:13:20"));
			assert_non_null(strstr(out, "Principals: \n                node1\n                10.10.0.11\n"
						    "                10.20.0.11\n"));
			assert_non_null(strstr(out, "Critical Options: (none)"));
			free(out);
			if (c == 0 && h == 0) {
				/* a flipped bit in the signature: ssh-keygen refuses it */
				const char *b64 = strchr(line, ' ') + 1;
				unsigned char *blob = NULL;
				size_t blen = 0;
				assert_int_equal(ssh_unbase64(b64, strcspn(b64, " "), &blob, &blen, &e), 0);
				blob[blen - 1] ^= 1;
				char *bad = ssh_base64(blob, blen), *badline = NULL;
				assert_true(asprintf(&badline, "ssh-ed25519-cert-v01@openssh.com %s\n", bad) > 0);
				put(path, badline, strlen(badline));
				snprintf(cmd, sizeof(cmd), "ssh-keygen -L -f %s >/dev/null 2>&1", path);
				assert_int_not_equal(system(cmd), 0);
				free(blob);
				free(bad);
				free(badline);
			}
			free(line);
			EVP_PKEY_free(key);
		}
		EVP_PKEY_free(ca);
	}
}

/* The operator's public key from each key file ssh-keygen writes: OpenSSH
 * format (also encrypted: its public key is in clear), PEM and PKCS#8. */
static void operator_key_is_derived_from_any_private_key(void **state)
{
	(void)state;
	static const struct {
		const char *args, *pass;
	} kinds[] = {
		{ "-t ed25519 -N ''", "" },     { "-t ed25519 -N secret", "secret" },
		{ "-t ecdsa -N ''", "" },       { "-t rsa -b 2048 -m PEM -N ''", "" },
		{ "-t ecdsa -m PKCS8 -N ''", "" },
	};
	char key[256];
	snprintf(key, sizeof(key), "%s/id", dir);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct perr e = PERR_INIT;
		char *mine = NULL, *warning = NULL;
		unlink(key);
		char *ok = run("ssh-keygen -q %s -C op -f %s && rm %s.pub && echo made", kinds[i].args, key, key);
		assert_non_null(ok);
		free(ok);
		assert_int_equal(ssh_operator_key(NULL, key, &mine, &warning, &e), 0);
		assert_null(warning);
		char *theirs = run("ssh-keygen -y -P '%s' -f %s", kinds[i].pass, key);
		char *a = two_fields(mine), *b = two_fields(theirs);
		assert_string_equal(a, b);
		assert_int_equal(mine[strlen(mine) - 1], '\n');
		free(a);
		free(b);
		free(theirs);
		free(mine);
	}

	/* inline in cluster.yml (ssh_key) */
	struct perr e = PERR_INIT;
	char *text = NULL, *mine = NULL, *warning = NULL;
	size_t len = 0;
	assert_int_equal(read_file(key, 1 << 16, &text, &len, &e), 0);
	assert_int_equal(ssh_operator_key(text, "/nonexistent", &mine, &warning, &e), 0);
	assert_non_null(mine);
	free(mine);
	free(text);

	/* a .pub beside the key wins, comment and all; a broken one is an error */
	char pub[300];
	snprintf(pub, sizeof(pub), "%s.pub", key);
	put(pub, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7e6bnsX4pTn1MJpCkXQD6eTgnKfQ1p7kgD5bX3T6qL op@host\n", 89);
	assert_int_equal(ssh_operator_key(NULL, key, &mine, &warning, &e), 0);
	assert_string_equal(mine, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7e6bnsX4pTn1MJpCkXQD6eTgnKfQ1p7kgD5bX3T6qL op@host\n");
	free(mine);
	put(pub, "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIB7e6bnsX4pTn1MJpCkXQD6eTgnKfQ1p7kgD5bX3T6qL\n", 77);
	assert_int_equal(ssh_operator_key(NULL, key, &mine, &warning, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not an OpenSSH public key"));
	perr_clear(&e);

	/* an encrypted PEM key without .pub: say what to do */
	unlink(pub);
	unlink(key);
	free(run("ssh-keygen -q -t rsa -b 2048 -m PEM -N secret -f %s && rm %s.pub && echo made", key, key));
	assert_int_equal(ssh_operator_key(NULL, key, &mine, &warning, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "encrypted; put its public key beside it as .pub"));
	perr_clear(&e);

	/* nothing at all: a warning, no key */
	unlink(key);
	assert_int_equal(ssh_operator_key(NULL, key, &mine, &warning, &e), 0);
	assert_null(mine);
	assert_non_null(warning);
	assert_non_null(strstr(warning, "sshd will accept no key"));
	free(warning);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mpints_and_base64_follow_the_rfc),
		cmocka_unit_test(key_lines_match_ssh_keygen),
		cmocka_unit_test(host_certificates_parse_in_ssh_keygen),
		cmocka_unit_test(operator_key_is_derived_from_any_private_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
