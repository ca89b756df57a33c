/* paddock audit: layers read back as the kernel unpacks them, the key scan,
 * and each check on hand-made outputs (newc archives written here with
 * libarchive, or byte by byte where libarchive would not write them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "audit/audit.h"
#include "audit/audit_keyscan.h"
#include "audit/audit_read.h"
#include "audit/audit_sshd.h"
#include "audit/audit_view.h"
#include "fsutil.h"
#include "json.h"
#include "pki/ssh_privkey.h"
#include "pki/ssh_wire.h"
#include "strbuf.h"
#include "strv.h"
#include "testutil.h"

SCRATCH_GROUP("audit")

/* strings made by a test, freed after it */
static struct strv pool = STRV_INIT;

static const char *keep(char *s)
{
	assert_non_null(s);
	strv_add_owned(&pool, s);
	return s;
}

static int per_test_teardown(void **state)
{
	(void)state;
	strv_clear(&pool);
	return 0;
}

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, f);
	assert_true(vasprintf(&s, f, ap) >= 0);
	va_end(ap);
	return keep(s);
}

/* A fresh EC P-256 private key in PEM. */
static const char *new_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *b = BIO_new(BIO_s_mem());
	assert_non_null(k);
	assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1);
	char *p;
	long n = BIO_get_mem_data(b, &p);
	const char *s = keep(strndup(p, (size_t)n));
	BIO_free(b);
	EVP_PKEY_free(k);
	return s;
}

struct tent {
	const char *path;
	unsigned mode;          /* with the type bits */
	unsigned uid, gid;
	const char *data;       /* file contents, or a symlink's target */
	size_t len;             /* 0: strlen(data) */
};

#define REG(p, m, d) { p, S_IFREG | (m), 0, 0, d, 0 }
#define DIRE(p, m) { p, S_IFDIR | (m), 0, 0, NULL, 0 }
#define N(a) (sizeof(a) / sizeof(*(a)))

/* Writes entries as a newc archive with libarchive, compressed by filter. */
static void write_layer(const char *path, const struct tent *e, size_t n, int filter, bool append)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_cpio_newc(a), ARCHIVE_OK);
	if (filter == ARCHIVE_FILTER_ZSTD)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	else if (filter == ARCHIVE_FILTER_GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	else if (filter == ARCHIVE_FILTER_XZ)
		assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	int fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
	assert_true(fd >= 0);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *x = archive_entry_new();
		size_t len = e[i].data ? (e[i].len ? e[i].len : strlen(e[i].data)) : 0;
		archive_entry_set_pathname(x, e[i].path);
		archive_entry_set_mode(x, e[i].mode);
		archive_entry_set_uid(x, e[i].uid);
		archive_entry_set_gid(x, e[i].gid);
		archive_entry_set_ino(x, (la_int64_t)i + 1);
		archive_entry_set_nlink(x, S_ISDIR(e[i].mode) ? 2 : 1);
		archive_entry_set_size(x, S_ISREG(e[i].mode) ? (la_int64_t)len : 0);
		if (S_ISLNK(e[i].mode))
			archive_entry_set_symlink(x, e[i].data);
		else if (S_ISCHR(e[i].mode))
			archive_entry_set_rdev(x, makedev(1, 3));
		if (archive_write_header(a, x) != ARCHIVE_OK)
			fail_msg("%s: %s", e[i].path, archive_error_string(a));
		if (S_ISREG(e[i].mode) && len)
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(x);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	close(fd);
}

/* --- reading layers --------------------------------------------------- */

/* One raw newc entry (for what libarchive will not write: links sharing
 * data, odd names, archives back to back). */
static void raw_entry(struct strbuf *sb, const char *name, unsigned mode, unsigned ino, unsigned nlink,
		      const char *data)
{
	size_t len = data ? strlen(data) : 0, nl = strlen(name) + 1;
	sb_printf(sb, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino, mode, 0u, 0u, nlink,
		  0u, len, 0u, 0u, 0u, 0u, nl, 0u);
	sb_add(sb, name, nl);
	while (sb->len % 4)
		sb_add(sb, "", 1);
	if (len)
		sb_add(sb, data, len);
	while (sb->len % 4)
		sb_add(sb, "", 1);
}

static struct audit_layer *read_raw(const struct strbuf *sb)
{
	const char *p = fmt("%s/raw.cpio", dir);
	struct perr e = PERR_INIT;
	struct audit_layer *l = NULL;
	assert_int_equal(write_file(p, sb->s, sb->len, 0644, &e), 0);
	assert_int_equal(audit_layer_read(p, "raw.cpio", &l, &e), 0);
	return l;
}

static void read_follows_archives_back_to_back(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	raw_entry(&sb, "etc", S_IFDIR | 0755, 1, 2, NULL);
	raw_entry(&sb, "etc/shadow", S_IFREG | 0600, 2, 1, "root:*:1::::::\n");
	raw_entry(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	for (int i = 0; i < 512; i++)
		sb_add(&sb, "", 1);
	/* a second archive, as appending to node.img makes one */
	raw_entry(&sb, "./etc//x/../shadow", S_IFREG | 0644, 1, 1, "root:$6$salt$hash:1::::::\n");
	raw_entry(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	struct audit_layer *l = read_raw(&sb);
	const struct audit_file *f = audit_layer_get(l, "/etc/shadow");
	assert_non_null(f);
	assert_int_equal(f->mode & 07777, 0644);
	assert_string_equal(f->data, "root:$6$salt$hash:1::::::\n");
	assert_int_equal(f->archive, 1);
	audit_layer_free(l);
	sb_free(&sb);
}

static void read_shares_hard_link_data(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	/* GNU cpio writes a hard link's data with its last name */
	raw_entry(&sb, "etc/passwd", S_IFREG | 0644, 7, 2, NULL);
	raw_entry(&sb, "etc/shadow", S_IFREG | 0644, 7, 2, "root:hash:1::::::\n");
	raw_entry(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	struct audit_layer *l = read_raw(&sb);
	assert_string_equal(audit_layer_get(l, "/etc/passwd")->data, "root:hash:1::::::\n");
	audit_layer_free(l);
	sb_free(&sb);
}

static void read_rejects_broken_layers(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct audit_layer *l = NULL;
	const char *p = fmt("%s/broken.img", dir);
	struct strbuf sb = STRBUF_INIT;
	raw_entry(&sb, "etc/x", S_IFREG | 0644, 1, 1, "abc");    /* no TRAILER!!! */
	assert_int_equal(write_file(p, sb.s, sb.len, 0644, &e), 0);
	assert_true(audit_layer_read(p, "broken.img", &l, &e) < 0);
	assert_non_null(strstr(e.msg, "no TRAILER"));
	perr_clear(&e);
	/* a gzip layer appended to a zstd one: the kernel reads it, we refuse */
	struct tent t[] = { DIRE("etc", 0755) };
	write_layer(p, t, 1, ARCHIVE_FILTER_ZSTD, false);
	write_layer(p, t, 1, ARCHIVE_FILTER_GZIP, true);
	assert_true(audit_layer_read(p, "broken.img", &l, &e) < 0);
	perr_clear(&e);
	assert_int_equal(write_file(p, "garbage!", 8, 0644, &e), 0);
	assert_true(audit_layer_read(p, "broken.img", &l, &e) < 0);
	perr_clear(&e);
	sb_free(&sb);
}

static void read_every_compression(void **state)
{
	(void)state;
	static const int filters[] = { ARCHIVE_FILTER_ZSTD, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_NONE };
	struct tent t[] = { DIRE("etc", 0755), REG("etc/hostname", 0644, "n1\n") };
	struct tent t2[] = { REG("etc/hostname", 0600, "n2\n") };
	for (size_t i = 0; i < N(filters); i++) {
		const char *p = fmt("%s/layer%zu.img", dir, i);
		struct perr e = PERR_INIT;
		struct audit_layer *l = NULL;
		write_layer(p, t, N(t), filters[i], false);
		write_layer(p, t2, N(t2), filters[i], true);
		assert_int_equal(audit_layer_read(p, "l", &l, &e), 0);
		assert_string_equal(audit_layer_get(l, "/etc/hostname")->data, "n2\n");
		assert_int_equal(l->n, 2);
		audit_layer_free(l);
	}
}

static void norm_path_is_lexical(void **state)
{
	(void)state;
	const char *cases[][2] = { { ".", "/" }, { "./etc//ssh/", "/etc/ssh" }, { "a/../../b", "/b" },
				   { "/etc/./x", "/etc/x" }, { "..", "/" } };
	for (size_t i = 0; i < N(cases); i++) {
		char *s = audit_norm_path(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

/* --- the key scan ----------------------------------------------------- */

static size_t scan_count(const char *buf, size_t len)
{
	struct key_hits h = { 0 };
	keyscan_buf(buf, len, "f", &h);
	size_t n = h.n;
	key_hits_clear(&h);
	return n;
}

static void keyscan_finds_keys_not_markers(void **state)
{
	(void)state;
	const char *k = new_key();
	assert_int_equal(scan_count(k, strlen(k)), 1);
	/* the marker as a string in a program, with no key behind it */
	static const char marker[] = "x\0-----BEGIN OPENSSH PRIVATE KEY-----\n\0%s\0-----END ";
	assert_int_equal(scan_count(marker, sizeof(marker)), 0);
	static const char magic[] = "openssh-key-v1\0\x01\x02garbage";
	assert_int_equal(scan_count(magic, sizeof(magic)), 0);
	/* an ELF file's compiled-in keys are its own test vectors */
	const char *elf = fmt("\x7f" "ELF\x02\x01\x01....%s", k);
	assert_int_equal(scan_count(elf, strlen(elf)), 0);
	/* the magic alone does not make a file a program */
	const char *fake = fmt("\x7f" "ELF....%s", k);
	assert_int_equal(scan_count(fake, strlen(fake)), 1);
	/* an OpenSSH binary key: magic, "none", "none", "", 1 key, its public blob */
	static const char ossh[] = "openssh-key-v1\0\0\0\0\x04none\0\0\0\x04none\0\0\0\0\0\0\0\x01\0\0\0\x0b"
				   "ssh-ed25519 and the rest";
	assert_int_equal(scan_count(ossh, sizeof(ossh)), 1);
}

static void keyscan_finds_wrapped_and_split_keys(void **state)
{
	(void)state;
	const char *k = new_key();
	size_t kl = strlen(k);
	unsigned char *b64 = malloc(kl * 2 + 8);
	int n = EVP_EncodeBlock(b64, (const unsigned char *)k, (int)kl);
	const char *kubeconfig = fmt("users:\n- user:\n    client-key-data: %.*s\n", n, b64);
	free(b64);
	assert_int_equal(scan_count(kubeconfig, strlen(kubeconfig)), 1);
	/* a key straddling the scanner's 1 MiB window, fed in odd pieces */
	size_t big = (1u << 20) + 4096, at = (1u << 20) - 100;
	char *buf = calloc(1, big);
	memcpy(buf + at, k, kl);
	struct key_hits h = { 0 };
	struct keyscan *ks = keyscan_new();
	keyscan_begin(ks, "big", &h);
	for (size_t off = 0; off < big; off += 777)
		keyscan_feed(ks, buf + off, big - off < 777 ? big - off : 777);
	keyscan_end(ks);
	assert_int_equal(h.n, 1);
	struct key_hits h2 = { 0 };
	keyscan_buf(k, kl, "again", &h2);
	assert_string_equal(h.v[0].fp, h2.v[0].fp);
	key_hits_clear(&h);
	key_hits_clear(&h2);
	keyscan_free(ks);
	free(buf);
}

/* --- a whole output ----------------------------------------------------- */

/* /init's hardening list as initrd/sysctl.c has it: whole "key=value" strings */
static const char *const sysctl_names[] = {
	"kernel.kptr_restrict=2", "kernel.dmesg_restrict=1", "kernel.perf_event_paranoid=3",
	"kernel.unprivileged_bpf_disabled=1", "net.core.bpf_jit_harden=2", "kernel.kexec_load_disabled=1",
	"kernel.yama.ptrace_scope=1", "kernel.sysrq=0", "fs.protected_symlinks=1", "fs.protected_hardlinks=1",
	"fs.protected_fifos=2", "fs.protected_regular=2", "fs.suid_dumpable=0", "net.ipv4.conf.all.rp_filter=1",
	"net.ipv4.conf.default.rp_filter=1", "net.ipv4.conf.all.accept_source_route=0",
	"net.ipv4.conf.all.accept_redirects=0", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.tcp_syncookies=1",
	"net.ipv4.icmp_echo_ignore_broadcasts=1", "net.ipv6.conf.all.accept_redirects=0", NULL,
};

static void tar_add(struct archive *a, const char *name, const char *data, size_t len)
{
	struct archive_entry *x = archive_entry_new();
	archive_entry_set_pathname(x, name);
	archive_entry_set_mode(x, S_IFREG | 0644);
	archive_entry_set_size(x, (la_int64_t)len);
	archive_write_header(a, x);
	archive_write_data(a, data, len);
	archive_entry_free(x);
}

/* A docker-save tarball bundling image, whose one layer has passwd (when
 * not NULL); its length in *len. */
static const char *bundle_with(const char *image, const char *passwd, size_t *len)
{
	struct mem m = { 0 }, layer = { 0 };
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_open(a, &layer, NULL, mem_write, NULL);
	if (passwd)
		tar_add(a, "etc/passwd", passwd, strlen(passwd));
	archive_write_close(a);
	archive_write_free(a);
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_open(a, &m, NULL, mem_write, NULL);
	const char *man = fmt("[{\"Config\":\"c.json\",\"RepoTags\":[\"%s\"],\"Layers\":[\"l1/layer.tar\"]}]", image);
	tar_add(a, "manifest.json", man, strlen(man));
	tar_add(a, "l1/layer.tar", layer.buf, layer.len);
	archive_write_close(a);
	archive_write_free(a);
	free(layer.buf);
	*len = m.len;
	return keep(m.buf);
}

static const char *bundle(const char *image, size_t *len)
{
	return bundle_with(image, NULL, len);
}

struct fx {
	const char *out;
	const char *const *nodes;
};

static int fx_seq;

static void fx_base(struct fx *f, const struct tent *extra, size_t nextra)
{
	struct strbuf init = STRBUF_INIT;
	sb_add(&init, "\x7f" "ELF", 5);        /* with its NUL, as the strings of a binary */
	for (size_t i = 0; sysctl_names[i]; i++)
		sb_add(&init, sysctl_names[i], strlen(sysctl_names[i]) + 1);
	size_t tl, il = init.len;
	const char *tar = bundle("paddock/sshd:1", &tl);
	const char *init_data = keep(sb_steal(&init));
	struct tent t[64] = {
		DIRE("etc", 0755), DIRE("tmp", 01777), DIRE("dev", 0755),
		{ "dev/null", S_IFCHR | 0666, 0, 0, NULL, 0 },
		{ "init", S_IFREG | 0755, 0, 0, init_data, il },
		{ "usr/share/paddock/images/10-system.tar", S_IFREG | 0644, 0, 0, tar, tl },
		{ "bin/sh", S_IFLNK | 0777, 0, 0, "busybox", 0 },
	};
	size_t n = 7;
	for (size_t i = 0; i < nextra; i++)
		t[n++] = extra[i];
	write_layer(fmt("%s/base.img", f->out), t, n, ARCHIVE_FILTER_ZSTD, false);
}

/* The files of a node that passes every check. */
static size_t good_node(const char *name, struct tent *t)
{
	static const char sshd[] =
		"# hardened\nInclude sshd_config.d/*.conf\nPasswordAuthentication no\n"
		"KbdInteractiveAuthentication no\nPermitEmptyPasswords no\nPermitRootLogin no\nMaxAuthTries 3\n"
		"X11Forwarding no\nAllowAgentForwarding no\nAllowTcpForwarding no\nAllowUsers rancher\n"
		"HostKey /etc/ssh/ssh_host_ecdsa_key\nHostCertificate /etc/ssh/ssh_host_ecdsa_key-cert.pub\n"
		"AuthorizedKeysFile /etc/ssh/authorized_keys/%u\n"
		"KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\n"
		"Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\nMACs hmac-sha2-256-etm@openssh.com\n";
	size_t n = 0;
	t[n++] = (struct tent)DIRE("etc", 0755);
	t[n++] = (struct tent)REG("etc/paddock/node.conf", 0644,
				  fmt("node.name=%s\nnode.role=etcd\nnode.role=controlplane\nnode.role=worker\n"
				      "registry.default=reg.example:5000\n", name));
	t[n++] = (struct tent)REG("etc/ssh/sshd_config", 0644, sshd);
	t[n++] = (struct tent)REG("etc/ssh/sshd_config.d/10-none.conf", 0644, "# nothing\n");
	t[n++] = (struct tent)REG("etc/ssh/ssh_host_ecdsa_key", 0600, new_key());
	t[n++] = (struct tent)REG("etc/ssh/ssh_host_ecdsa_key.pub", 0644, "ecdsa-sha2-nistp256 AAAA root@n\n");
	t[n++] = (struct tent)REG("etc/ssh/ssh_host_ecdsa_key-cert.pub", 0644,
				  "ecdsa-sha2-nistp256-cert-v01@openssh.com AAAA root@n\n");
	t[n++] = (struct tent)REG("etc/ssh/authorized_keys/rancher", 0644, "ssh-ed25519 AAAAC3Nza op@host\n");
	t[n++] = (struct tent)REG("etc/passwd", 0644,
				  "root:x:0:0:root:/root:/bin/sh\nrancher:x:1000:1000::/home/rancher:/bin/sh\n");
	t[n++] = (struct tent)REG("etc/shadow", 0600, "root:*:19000:0:99999:7:::\nrancher:!:19000::::::\n");
	t[n++] = (struct tent){ fmt("etc/kubernetes/ssl/kube-etcd-%s.pem", name), S_IFREG | 0600, 52034, 52035,
				"certificate", 0 };
	t[n++] = (struct tent){ fmt("etc/kubernetes/ssl/kube-etcd-%s-key.pem", name), S_IFREG | 0600, 52034, 52035,
				new_key(), 0 };
	t[n++] = (struct tent)REG("etc/kubernetes/ssl/kube-node-key.pem", 0600, new_key());
	t[n++] = (struct tent)REG("etc/kubernetes/audit-policy.yaml", 0600, "apiVersion: audit.k8s.io/v1\n");
	t[n++] = (struct tent)REG("etc/paddock/containers/10-etcd.conf", 0644,
				  "name=etcd\nimage=reg.example:5000/rancher/mirrored-coreos-etcd:v3.5.16\n"
				  "user=52034:52035\ncommand=/usr/local/bin/etcd\n");
	t[n++] = (struct tent)REG("etc/paddock/containers/20-kube-apiserver.conf", 0644,
				  "name=kube-apiserver\nimage=reg.example:5000/rancher/hyperkube:v1.32.5-rancher1\n"
				  "command=kube-apiserver\ncommand=--authorization-mode=Node,RBAC\n"
				  "command=--audit-policy-file=/etc/kubernetes/audit-policy.yaml\n"
				  "command=--audit-log-path=/var/log/kube-audit/audit-log.json\n"
				  "command=--audit-log-maxage=30\ncommand=--audit-log-maxbackup=10\n"
				  "command=--audit-log-maxsize\ncommand=100\n"
				  "volume=/var/log/kube-audit:/var/log/kube-audit:z\n");
	t[n++] = (struct tent)REG("etc/paddock/services/30-sshd.conf", 0644, "name=sshd\nimage=paddock/sshd:1\n");
	return n;
}

static void fx_node(struct fx *f, const char *node, const struct tent *t, size_t n, bool append)
{
	const char *p = fmt("%s/%s/node.img", f->out, node);
	write_layer(p, t, n, ARCHIVE_FILTER_ZSTD, append);
	assert_int_equal(chmod(p, 0600), 0);     /* it holds the node's keys */
}

/* An output of good nodes named by nodes (NULL-terminated). */
static void fx_new(struct fx *f, const char *const *nodes)
{
	struct perr e = PERR_INIT;
	struct strbuf m = STRBUF_INIT;
	f->out = fmt("%s/out%d", dir, fx_seq++);
	f->nodes = nodes;
	assert_int_equal(mkdir(f->out, 0755), 0);
	sb_adds(&m, "{\"base\": {\"file\": \"base.img\"}, \"nodes\": [");
	for (size_t i = 0; nodes[i]; i++) {
		sb_printf(&m, "%s{\"name\": \"%s\", \"initrds\": [\"base.img\", \"%s/node.img\"]}", i ? ", " : "",
			  nodes[i], nodes[i]);
		assert_int_equal(mkdir(fmt("%s/%s", f->out, nodes[i]), 0700), 0);
		struct tent t[32];
		fx_node(f, nodes[i], t, good_node(nodes[i], t), false);
	}
	sb_adds(&m, "]}\n");
	assert_int_equal(write_file(fmt("%s/manifest.json", f->out), m.s, m.len, 0644, &e), 0);
	sb_free(&m);
	fx_base(f, NULL, 0);
}

static void fx_run(struct fx *f, struct audit_report *rep)
{
	struct perr e = PERR_INIT;
	*rep = (struct audit_report){ 0 };
	assert_int_equal(audit_run(f->out, rep, &e), 0);
}

static const struct audit_result *result(const struct audit_report *r, const char *item, const char *node)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].check->item, item) && !strcmp(r->v[i].subject, node))
			return &r->v[i];
	fail_msg("no result for %s on %s", item, node);
	return NULL;
}

/* item failed on node, and its why says needle. */
static void expect_fail(const struct audit_report *r, const char *item, const char *node, const char *needle)
{
	const struct audit_result *x = result(r, item, node);
	if (x->status != AUDIT_FAIL || !strstr(x->why, needle))
		fail_msg("%s on %s: status %d, why '%s', wanted a failure saying '%s'", item, node, x->status, x->why,
			 needle);
}

static void expect_pass(const struct audit_report *r, const char *item, const char *node)
{
	const struct audit_result *x = result(r, item, node);
	if (x->status != AUDIT_PASS)
		fail_msg("%s on %s: status %d: %s", item, node, x->status, x->why);
}

static const char *const three[] = { "n1", "n2", "n3", NULL };

static void good_output_passes_every_check(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	fx_new(&f, three);
	fx_run(&f, &rep);
	for (size_t i = 0; i < rep.n; i++)
		if (rep.v[i].status != AUDIT_PASS)
			fail_msg("%s on %s: %s", rep.v[i].check->item, rep.v[i].subject, rep.v[i].why);
	assert_int_equal(audit_report_failures(&rep, false), 0);
	/* every check, on each node; keys-confined also on base and OUT */
	size_t checks = 0;
	for (const struct audit_check *c = audit_checks; c->item; c++)
		checks++;
	assert_int_equal(rep.n, checks * 3 + 2 + 1);
	audit_report_free(&rep);
}

/* The good output with one node's layer amended by entries appended. */
static void broken(struct audit_report *rep, const char *node, const struct tent *t, size_t n)
{
	struct fx f;
	fx_new(&f, three);
	fx_node(&f, node, t, n, true);
	fx_run(&f, rep);
}

static void ssh_config_failures(void **state)
{
	(void)state;
	struct audit_report rep;
	struct tent t[] = { REG("etc/ssh/sshd_config", 0644,
				"PasswordAuthentication yes\nPermitRootLogin prohibit-password\nMaxAuthTries 6\n"
				"AllowUsers root\nCiphers aes128-cbc\nMatch User x\n  X11Forwarding yes\n") };
	broken(&rep, "n2", t, N(t));
	expect_fail(&rep, "ssh-config", "n2", "PasswordAuthentication yes");
	const struct audit_result *x = result(&rep, "ssh-config", "n2");
	assert_non_null(strstr(x->why, "more"));        /* KbdInteractive (default), root, tries, ... */
	expect_pass(&rep, "ssh-config", "n1");
	assert_true(x->check->enforced);        /* `paddock build` fails on it */
	audit_report_free(&rep);
	/* what the defaults allow fails too; a Match block cannot re-enable it */
	struct tent t2[] = { REG("etc/ssh/sshd_config", 0644,
				 "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\n"
				 "MaxAuthTries 3\nX11Forwarding no\nAllowAgentForwarding no\nAllowTcpForwarding no\n"
				 "AllowUsers rancher\nMatch Address 10.0.0.0/8\n  PasswordAuthentication yes\n") };
	broken(&rep, "n1", t2, N(t2));
	expect_fail(&rep, "ssh-config", "n1", "PasswordAuthentication yes in a Match block");
	audit_report_free(&rep);
	struct tent t3[] = { REG("etc/ssh/sshd_config.d/10-none.conf", 0644, "PasswordAuthentication yes\n") };
	broken(&rep, "n3", t3, N(t3));  /* an Include comes first: its value wins */
	expect_fail(&rep, "ssh-config", "n3", "PasswordAuthentication yes");
	audit_report_free(&rep);
}

static void ssh_host_key_failures(void **state)
{
	(void)state;
	struct audit_report rep;
	struct tent t[] = { REG("etc/ssh/ssh_host_ecdsa_key", 0644, new_key()),
			    REG("etc/ssh/ssh_host_ecdsa_key-cert.pub", 0644, "not a certificate\n"),
			    REG("etc/ssh/authorized_keys/rancher", 0666, "ssh-ed25519 AAAA x\n") };
	broken(&rep, "n1", t, N(t));
	expect_fail(&rep, "ssh-host-keys", "n1", "/etc/ssh/ssh_host_ecdsa_key is 0644, not 0600");
	expect_fail(&rep, "ssh-host-keys", "n1", "not an OpenSSH certificate");
	expect_fail(&rep, "secret-modes", "n1", "/etc/ssh/ssh_host_ecdsa_key is 0644");
	expect_fail(&rep, "ssh-authorized-keys", "n1", "others may write it");
	expect_fail(&rep, "world-writable", "n1", "/etc/ssh/authorized_keys/rancher is 0666");
	audit_report_free(&rep);
}

static void accounts_failures(void **state)
{
	(void)state;
	struct audit_report rep;
	struct tent t[] = { REG("etc/shadow", 0640, "root:$6$salt$hash:19000:0:99999:7:::\nrancher::1::::::\n"
						 "toor:*:1::::::\n"),
			    REG("etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n") };
	broken(&rep, "n3", t, N(t));
	expect_fail(&rep, "accounts", "n3", "root has a password hash");
	expect_fail(&rep, "accounts", "n3", "rancher has an empty password");
	expect_fail(&rep, "accounts", "n3", "toor has uid 0");
	assert_true(result(&rep, "accounts", "n3")->check->enforced);
	audit_report_free(&rep);
	/* passwd with x and no shadow at all */
	struct fx f;
	fx_new(&f, three);
	struct tent base[] = { REG("etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\n") };
	fx_base(&f, base, N(base));
	struct tent none[] = { REG("etc/paddock/node.conf", 0644, "node.name=n1\nnode.role=worker\n") };
	struct tent *all = calloc(32, sizeof(*all));
	size_t n = good_node("n1", all), w = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].path, "etc/shadow") && strcmp(all[i].path, "etc/passwd"))
			all[w++] = all[i];
	fx_node(&f, "n1", all, w, false);
	fx_node(&f, "n1", none, 1, true);
	free(all);
	fx_run(&f, &rep);
	expect_fail(&rep, "accounts", "n1", "keeps its password in /etc/shadow, which is not there");
	audit_report_free(&rep);
}

static void image_accounts(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	size_t len;
	fx_new(&f, three);
	const char *tar = bundle_with("paddock/sshd:2", "root:$6$s$h:0:0::/root:/bin/sh\nrancher:!:1000:1000::/:/bin/sh\n",
				      &len);
	struct tent t[] = { { "usr/share/paddock/images/20-ssh.tar", S_IFREG | 0644, 0, 0, tar, len } };
	fx_base(&f, t, N(t));
	fx_run(&f, &rep);
	expect_fail(&rep, "image-accounts", "n1", "image paddock/sshd:2: /etc/passwd: root has a password hash");
	assert_null(strstr(result(&rep, "image-accounts", "n1")->why, "rancher"));
	expect_pass(&rep, "accounts", "n1");
	audit_report_free(&rep);
}

static void keys_confined_failures(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	const char *k = new_key(), *sa = new_key();
	fx_new(&f, three);
	struct tent same[] = { REG("etc/kubernetes/ssl/kube-proxy-key.pem", 0600, k),
			       REG("etc/kubernetes/ssl/kube-service-account-token-key.pem", 0600, sa) };
	fx_node(&f, "n1", same, N(same), true);
	struct tent other[] = { REG("root/copied.pem", 0600, k),
				REG("etc/kubernetes/ssl/kube-service-account-token-key.pem", 0600, sa) };
	fx_node(&f, "n2", other, N(other), true);
	struct tent leak[] = { REG("etc/leaked-key.pem", 0644, new_key()) };
	fx_base(&f, leak, N(leak));
	assert_int_equal(write_file(fmt("%s/notes.txt", f.out), k, strlen(k), 0644, &(struct perr)PERR_INIT), 0);
	fx_run(&f, &rep);
	expect_fail(&rep, "keys-confined", "n1", "kube-proxy-key.pem is also in node n2's layer (/root/copied.pem)");
	expect_fail(&rep, "keys-confined", "n2", "/root/copied.pem is also in node n1's layer");
	expect_fail(&rep, "keys-confined", "base", "/etc/leaked-key.pem");
	expect_fail(&rep, "keys-confined", "OUT", "OUT/notes.txt holds a private key");
	expect_fail(&rep, "out-modes", "OUT", "OUT/notes.txt is 0644");
	expect_pass(&rep, "keys-confined", "n3");
	/* the service-account key is the cluster's, shared at its own path */
	assert_null(strstr(result(&rep, "keys-confined", "n1")->why, "service-account"));
	audit_report_free(&rep);
}

static void modes_in_out(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	fx_new(&f, three);
	assert_int_equal(chmod(fmt("%s/n2", f.out), 0755), 0);
	assert_int_equal(chmod(fmt("%s/n3/node.img", f.out), 0644), 0);
	assert_int_equal(chmod(fmt("%s/n1/node.img", f.out), 0600), 0);
	assert_int_equal(mkdir(fmt("%s/etcd", f.out), 0755), 0);
	assert_int_equal(write_file(fmt("%s/etcd/client-key.pem", f.out), "k", 1, 0644, &(struct perr)PERR_INIT), 0);
	fx_run(&f, &rep);
	expect_fail(&rep, "out-modes", "n2", "OUT/n2/ is 0755, not 0700");
	expect_fail(&rep, "out-modes", "n3", "OUT/n3/node.img is 0644 and holds the node's secrets");
	expect_pass(&rep, "out-modes", "n1");
	expect_fail(&rep, "out-modes", "OUT", "OUT/etcd/ is 0755");
	expect_fail(&rep, "out-modes", "OUT", "OUT/etcd/client-key.pem is 0644");
	audit_report_free(&rep);
	/* every copy of a node layer: the ISO, the TFTP and iPXE trees' */
	struct perr e = PERR_INIT;
	fx_new(&f, three);
	const char *layer = fmt("%s/n1/node.img", f.out);
	assert_int_equal(mkdir(fmt("%s/tftp", f.out), 0700), 0);
	assert_int_equal(mkdir(fmt("%s/tftp/nodes", f.out), 0700), 0);
	assert_int_equal(mkdir(fmt("%s/ipxe", f.out), 0700), 0);
	assert_int_equal(mkdir(fmt("%s/ipxe/nodes", f.out), 0700), 0);
	assert_int_equal(copy_file(layer, fmt("%s/tftp/nodes/n1.img", f.out), 0644, &e), 0);
	assert_int_equal(copy_file(fmt("%s/n2/node.img", f.out), fmt("%s/ipxe/nodes/n2.img", f.out), 0604, &e), 0);
	assert_int_equal(copy_file(fmt("%s/n3/node.img", f.out), fmt("%s/n3/n3.iso", f.out), 0640, &e), 0);
	assert_int_equal(copy_file(fmt("%s/n3/node.img", f.out), fmt("%s/tftp/nodes/n3.img", f.out), 0600, &e), 0);
	fx_run(&f, &rep);
	expect_fail(&rep, "out-modes", "n1", "OUT/tftp/nodes/n1.img is 0644 and holds the node's secrets");
	expect_fail(&rep, "out-modes", "n2", "OUT/ipxe/nodes/n2.img is 0604 and holds the node's secrets");
	expect_fail(&rep, "out-modes", "n3", "OUT/n3/n3.iso is 0640 and holds the node's secrets");
	assert_null(strstr(result(&rep, "out-modes", "n3")->why, "tftp"));
	audit_report_free(&rep);
	/* the same files 0600: passes, each counted */
	fx_new(&f, three);
	assert_int_equal(mkdir(fmt("%s/tftp", f.out), 0700), 0);
	assert_int_equal(mkdir(fmt("%s/tftp/nodes", f.out), 0700), 0);
	assert_int_equal(copy_file(fmt("%s/n1/node.img", f.out), fmt("%s/tftp/nodes/n1.img", f.out), 0600, &e), 0);
	fx_run(&f, &rep);
	expect_pass(&rep, "out-modes", "n1");
	assert_non_null(strstr(result(&rep, "out-modes", "n1")->why, "2 file(s) with its layer"));
	audit_report_free(&rep);
}

static void kubernetes_failures(void **state)
{
	(void)state;
	struct audit_report rep;
	struct tent t[] = {
		REG("etc/paddock/containers/20-kube-apiserver.conf", 0644,
		    "name=kube-apiserver\nimage=docker.io/rancher/hyperkube:v1\ncommand=--authorization-mode=Node\n"
		    "command=--audit-policy-file=/etc/kubernetes/audit-policy.yaml\n"),
		REG("etc/kubernetes/audit-policy.yaml", 0644, "apiVersion: audit.k8s.io/v1\n"),
		{ "etc/kubernetes/ssl/kube-etcd-n1-key.pem", S_IFREG | 0640, 0, 0, new_key(), 0 },
		REG("etc/paddock/services/40-extra.conf", 0644, "name=extra\nimage=quay.io/extra:1\n"),
	};
	broken(&rep, "n1", t, N(t));
	expect_fail(&rep, "rbac", "n1", "--authorization-mode=Node has no RBAC");
	expect_fail(&rep, "audit-log", "n1", "/etc/kubernetes/audit-policy.yaml is 0644, not 0600");
	expect_fail(&rep, "audit-log", "n1", "no --audit-log-path");
	expect_pass(&rep, "audit-log", "n2");
	expect_fail(&rep, "etcd-files", "n1", "kube-etcd-n1-key.pem is owned by 0:0, not etcd's 52034:52035");
	expect_fail(&rep, "etcd-files", "n1", "is 0640");
	expect_fail(&rep, "registry", "n1", "kube-apiserver runs docker.io/rancher/hyperkube:v1, not from the "
					    "default registry reg.example:5000");
	expect_fail(&rep, "registry", "n1", "extra runs quay.io/extra:1");
	expect_pass(&rep, "registry", "n2");    /* paddock/sshd:1 is bundled in base.img */
	audit_report_free(&rep);
	/* a worker has no kube-apiserver and no etcd: those checks do not apply */
	struct tent w[] = { REG("etc/paddock/node.conf", 0644, "node.name=n3\nnode.role=worker\n") };
	broken(&rep, "n3", w, N(w));
	assert_int_equal(result(&rep, "rbac", "n3")->status, AUDIT_SKIP);
	assert_int_equal(result(&rep, "etcd-files", "n3")->status, AUDIT_SKIP);
	assert_int_equal(audit_report_failures(&rep, false), 0);
	audit_report_free(&rep);
}

/* an audit log written inside the container is lost with it: the log's
 * directory must come from the host (the state disk) */
static void audit_log_off_the_host(void **state)
{
	(void)state;
	struct audit_report rep;
	struct tent t[] = {
		REG("etc/paddock/containers/20-kube-apiserver.conf", 0644,
		    "name=kube-apiserver\nimage=reg.example:5000/rancher/hyperkube:v1\n"
		    "command=--authorization-mode=Node,RBAC\n"
		    "command=--audit-policy-file=/etc/kubernetes/audit-policy.yaml\n"
		    "command=--audit-log-path=/var/log/kube-audit/audit-log.json\n"
		    "command=--audit-log-maxage=30\ncommand=--audit-log-maxbackup=10\ncommand=--audit-log-maxsize=100\n"
		    "volume=/etc/kubernetes:/etc/kubernetes:z\nvolume=/var/log/kube-audit-other:/var/log/kube-audit-x\n"),
	};
	broken(&rep, "n2", t, N(t));
	expect_fail(&rep, "audit-log", "n2",
		    "the audit log /var/log/kube-audit/audit-log.json is on no volume from the host");
	expect_pass(&rep, "audit-log", "n1");
	audit_report_free(&rep);
}

/* The key scan finds a dropbear Ed25519 key file (an image made some
 * other way may carry one) as the same key as its OpenSSH form. */
static void dropbear_key_file_scanned(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char raw[64];
	size_t sl = 32, pl = 32, olen = 0;
	char *ossh = NULL;
	assert_int_equal(EVP_PKEY_get_raw_private_key(k, raw, &sl), 1);
	assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw + 32, &pl), 1);
	assert_int_equal(ssh_private_key_file(k, "h", &ossh, &olen, &e), 0);
	EVP_PKEY_free(k);
	keep(ossh);
	/* dropbear's file: string "ssh-ed25519", string seed || public key */
	unsigned char db[4 + 11 + 4 + 64] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
					      0, 0, 0, 64 };
	memcpy(db + 19, raw, sizeof(raw));
	struct key_hits a = { 0 }, b = { 0 };
	keyscan_buf(db, sizeof(db), "db", &a);
	/* OpenSSH's binary form, inside the armour */
	unsigned char *bin = NULL;
	size_t blen = 0;
	const char *body = strchr(ossh, '\n') + 1;
	assert_int_equal(ssh_unbase64(body, (size_t)(strstr(body, "-----END") - body), &bin, &blen, &e), 0);
	keyscan_buf(bin, blen, "ossh", &b);
	free(bin);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	assert_string_equal(a.v[0].label, "dropbear ssh-ed25519");
	assert_string_equal(a.v[0].fp, b.v[0].fp);
	key_hits_clear(&a);
	key_hits_clear(&b);
	/* a public key blob (32 bytes where the key file has 64) is no key */
	static const char blob[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20" "0123456789abcdef0123456789abcdef0123456789";
	assert_int_equal(scan_count(blob, sizeof(blob)), 0);
}

static void missing_subjects_fail(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	fx_new(&f, three);
	struct tent bare[] = { DIRE("etc", 0755),
			       REG("etc/paddock/node.conf", 0644, "node.name=n1\nnode.role=etcd\nnode.role=controlplane\n") };
	fx_node(&f, "n1", bare, N(bare), false);
	fx_run(&f, &rep);
	/* every build writes the role containers and the audit policy now */
	const char *roles[] = { "etcd-files", "rbac", "audit-log", "registry" };
	for (size_t i = 0; i < N(roles); i++) {
		expect_fail(&rep, roles[i], "n1", "missing: ");
		assert_true(result(&rep, roles[i], "n1")->check->enforced);
	}
	/* every build writes the PKI's files now: a node without them fails */
	expect_fail(&rep, "secret-modes", "n1", "missing: ");
	assert_true(result(&rep, "secret-modes", "n1")->check->enforced);
	/* and every node's layer its OpenSSH config, host key and user's key (pki/ssh.h) */
	const char *ssh[] = { "ssh-config", "ssh-host-keys", "ssh-authorized-keys" };
	for (size_t i = 0; i < N(ssh); i++) {
		expect_fail(&rep, ssh[i], "n1", "missing: ");
		assert_true(result(&rep, ssh[i], "n1")->check->enforced);
	}
	expect_pass(&rep, "accounts", "n1");
	/* secret-modes, etcd-files, rbac, audit-log, registry and the three SSH checks */
	assert_int_equal(audit_report_failures(&rep, true), 8);
	audit_report_free(&rep);
}

static void sysctl_and_files(void **state)
{
	(void)state;
	struct audit_report rep;
	struct tent t[] = { REG("etc/sysctl.d/99-weak.conf", 0644, "# x\nkernel.kptr_restrict = 0\nkernel/sysrq=0\n"),
			    DIRE("var/tmp", 0777), REG("etc/paddock/node.conf", 0644, "node.name=nX\n") };
	broken(&rep, "n2", t, N(t));
	expect_fail(&rep, "sysctl", "n2", "/etc/sysctl.d/99-weak.conf sets kernel.kptr_restrict=0, hardening wants "
					  "kernel.kptr_restrict=2");
	expect_fail(&rep, "world-writable", "n2", "/var/tmp is 0777");
	expect_fail(&rep, "node-config", "n2", "node nX's, in node n2's layers");
	expect_pass(&rep, "world-writable", "n1");      /* /tmp is sticky, /dev/null a device */
	audit_report_free(&rep);
	struct fx f;
	fx_new(&f, three);
	struct tent init[] = { REG("init", 0755, "\x7f" "ELF kernel.kptr_restrict") };
	fx_base(&f, init, N(init));     /* a later entry of base.img replaces /init */
	fx_run(&f, &rep);
	expect_fail(&rep, "sysctl", "n1", "kernel.dmesg_restrict=1 is not applied");
	audit_report_free(&rep);
}

/* An /init whose list is sysctl_names with one entry replaced by weak. */
static void weak_init(struct fx *f, const char *key, const char *weak)
{
	struct strbuf b = STRBUF_INIT;
	sb_add(&b, "\x7f" "ELF", 5);
	for (size_t i = 0; sysctl_names[i]; i++) {
		const char *kv = strncmp(sysctl_names[i], key, strlen(key)) ? sysctl_names[i] : weak;
		sb_add(&b, kv, strlen(kv) + 1);
	}
	size_t len = b.len;
	const char *data = keep(sb_steal(&b));
	struct tent init[] = { { "init", S_IFREG | 0755, 0, 0, data, len } };
	fx_base(f, init, N(init));
}

static void sysctl_values_weakened_in_init(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	/* the key is in /init, its value is not the hardened one */
	fx_new(&f, three);
	weak_init(&f, "kernel.kptr_restrict=", "kernel.kptr_restrict=0");
	fx_run(&f, &rep);
	expect_fail(&rep, "sysctl", "n1", "/init sets kernel.kptr_restrict=0, hardening wants kernel.kptr_restrict=2");
	expect_fail(&rep, "sysctl", "n1", "kernel.kptr_restrict=2 is not applied");
	audit_report_free(&rep);
	/* the hardened value there too does not hide a weaker one */
	fx_new(&f, three);
	weak_init(&f, "kernel.sysrq=", "kernel.sysrq=1");
	fx_run(&f, &rep);
	expect_fail(&rep, "sysctl", "n2", "/init sets kernel.sysrq=1");
	audit_report_free(&rep);
	/* a right value in /etc/sysctl.d/, which nothing applies at boot, does
	 * not stand in for /init's */
	fx_new(&f, three);
	weak_init(&f, "kernel.dmesg_restrict=", "kernel.dmesg_restrict");
	struct tent t[] = { REG("etc/sysctl.d/10-ok.conf", 0644, "kernel.dmesg_restrict = 1\n") };
	fx_node(&f, "n3", t, N(t), true);
	fx_run(&f, &rep);
	expect_fail(&rep, "sysctl", "n3", "kernel.dmesg_restrict=1 is not applied");
	audit_report_free(&rep);
	/* the whole list: passes */
	fx_new(&f, three);
	fx_run(&f, &rep);
	expect_pass(&rep, "sysctl", "n1");
	audit_report_free(&rep);
}

static void unreadable_layers_fail_the_node(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	struct perr e = PERR_INIT;
	fx_new(&f, three);
	assert_int_equal(write_file(fmt("%s/n2/node.img", f.out), "junk", 4, 0600, &e), 0);
	fx_run(&f, &rep);
	expect_fail(&rep, "layers", "n2", "n2/node.img");
	expect_pass(&rep, "layers", "n1");
	assert_true(audit_report_failures(&rep, true) > 0);
	audit_report_free(&rep);
	/* no manifest: OUT cannot be judged */
	assert_int_equal(unlink(fmt("%s/manifest.json", f.out)), 0);
	assert_true(audit_run(f.out, &rep, &e) < 0);
	perr_clear(&e);
	audit_report_free(&rep);
}

static void report_table_and_json(void **state)
{
	(void)state;
	struct fx f;
	struct audit_report rep;
	static const char *const one[] = { "solo", NULL };
	fx_new(&f, one);
	struct tent t[] = { REG("etc/ssh/sshd_config", 0644, "PasswordAuthentication yes\n"
						    "HostCertificate /etc/ssh/ssh_host_ecdsa_key-cert.pub\n") };
	fx_node(&f, "solo", t, N(t), true);
	fx_run(&f, &rep);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_int_equal(audit_report_table(&rep, "OUT", m), 0);
	fclose(m);
	assert_non_null(strstr(buf, "ITEM "));
	if (!strstr(buf, "ssh-config           solo  FAIL    PasswordAuthentication yes"))
		fail_msg("%s", buf);
	/* every failure here is enforced: no FAIL* and no footer about them */
	assert_null(strstr(buf, "FAIL*"));
	free(buf);
	char *json = audit_report_json(&rep, "OUT");
	struct json *j = NULL;
	struct perr e = PERR_INIT;
	assert_int_equal(json_parse(json, strlen(json), &j, &e), 0);
	assert_true(json_num_at(j, "failed", 0) >= 1);
	/* ssh-config, and ssh-authorized-keys (no AllowUsers) */
	assert_int_equal((int)json_num_at(j, "failed_enforced", -1), 2);
	free(json);
	json_free(j);
	audit_report_free(&rep);
}

static void sshd_parser_reads_like_sshd(void **state)
{
	(void)state;
	struct fx f;
	fx_new(&f, three);
	struct perr e = PERR_INIT;
	struct audit_layer *l = NULL;
	struct tent t[] = { REG("etc/ssh/sshd_config", 0644,
				"  # comment\nPort=22\nALLOWUSERS \"a b\" c\nInclude /etc/ssh/loop.conf\nBad\n"),
			    REG("etc/ssh/loop.conf", 0644, "Include loop.conf\nCiphers aes256-ctr\n") };
	const char *p = fmt("%s/sshd.img", dir);
	write_layer(p, t, N(t), ARCHIVE_FILTER_NONE, false);
	assert_int_equal(audit_layer_read(p, "sshd.img", &l, &e), 0);
	struct audit_view v;
	audit_view_init(&v, "n", &l, 1);
	struct sshd_config c = { 0 };
	char *problem = NULL;
	assert_int_equal(sshd_config_read(&v, SSHD_CONFIG, &c, &problem), 0);
	assert_string_equal(sshd_global(&c, "Port", NULL)->args[0], "22");
	assert_string_equal(sshd_global(&c, "AllowUsers", NULL)->args[0], "a b");
	assert_string_equal(sshd_global(&c, "ciphers", NULL)->args[0], "aes256-ctr");
	assert_non_null(strstr(problem, "bad has no value"));
	assert_non_null(strstr(problem, "nested too deep"));
	free(problem);
	sshd_config_free(&c);
	audit_view_free(&v);
	audit_layer_free(l);
}

#define T(f) cmocka_unit_test_teardown(f, per_test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(read_follows_archives_back_to_back),
		T(read_shares_hard_link_data),
		T(read_rejects_broken_layers),
		T(read_every_compression),
		T(norm_path_is_lexical),
		T(keyscan_finds_keys_not_markers),
		T(keyscan_finds_wrapped_and_split_keys),
		T(good_output_passes_every_check),
		T(ssh_config_failures),
		T(ssh_host_key_failures),
		T(accounts_failures),
		T(image_accounts),
		T(keys_confined_failures),
		T(modes_in_out),
		T(kubernetes_failures),
		T(audit_log_off_the_host),
		T(dropbear_key_file_scanned),
		T(missing_subjects_fail),
		T(sysctl_and_files),
		T(sysctl_values_weakened_in_init),
		T(unreadable_layers_fail_the_node),
		T(report_table_and_json),
		T(sshd_parser_reads_like_sshd),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
