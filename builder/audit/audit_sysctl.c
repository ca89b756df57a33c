/* audit_sysctl: the kernel hardening settings a node applies at boot.
 *
 * /init applies a built-in list of "key=value" strings (initrd/sysctl.c)
 * and nothing else, so a setting counts as applied when /init carries that
 * whole string and no other value for the key.  Nothing at boot reads
 * /etc/sysctl.conf, /etc/sysctl.d/ or sysctl.* keys of node.conf; a weaker
 * value there still fails (`sysctl -p` or a later change would apply it),
 * but a right one there does not count as applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_check.h"
#include "strv.h"

/* The set required: pointers and the kernel log for root only, no BPF or
 * perf for users, no kexec, no ptrace of unrelated processes, safe links
 * and FIFOs in sticky directories, no core dumps of setuid programs,
 * reverse-path filtering, no source routing or redirects, SYN cookies. */
static const char *const required[] = {
	"kernel.kptr_restrict=2", "kernel.dmesg_restrict=1", "kernel.perf_event_paranoid=3",
	"kernel.unprivileged_bpf_disabled=1", "net.core.bpf_jit_harden=2", "kernel.kexec_load_disabled=1",
	"kernel.yama.ptrace_scope=1", "kernel.sysrq=0", "fs.protected_symlinks=1", "fs.protected_hardlinks=1",
	"fs.protected_fifos=2", "fs.protected_regular=2", "fs.suid_dumpable=0",
	"net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.default.rp_filter=1",
	"net.ipv4.conf.all.accept_source_route=0", "net.ipv4.conf.all.accept_redirects=0",
	"net.ipv4.conf.all.send_redirects=0", "net.ipv4.tcp_syncookies=1",
	"net.ipv4.icmp_echo_ignore_broadcasts=1", "net.ipv6.conf.all.accept_redirects=0", NULL,
};

#define INIT "/init"

/* A sysctl file's "key = value" for key ('/' and '.' both separate). */
static void file_settings(const char *path, const char *text, struct strv *out)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		const char *s = l + strspn(l, " \t-");
		if (*s == '#' || *s == ';' || !memchr(s, '=', len - (size_t)(s - l)))
			continue;
		const char *eq = memchr(s, '=', len - (size_t)(s - l));
		const char *ke = eq, *vs = eq + 1, *ve = l + len;
		while (ke > s && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		while (vs < ve && (*vs == ' ' || *vs == '\t'))
			vs++;
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
			ve--;
		char *kv = NULL;
		if (asprintf(&kv, "%.*s=%.*s\t%s", (int)(ke - s), s, (int)(ve - vs), vs, path) < 0)
			continue;
		for (char *c = kv; *c != '='; c++)
			if (*c == '/')
				*c = '.';
		strv_add_owned(out, kv);
	}
}

/* Every "key=value\twhere" the node's files and node.conf set. */
static void settings(const struct audit_view *view, struct strv *out)
{
	char **files = audit_view_glob(view, "/etc/sysctl.d/*.conf");
	const char *main = audit_view_text(view, "/etc/sysctl.conf");
	if (main)
		file_settings("/etc/sysctl.conf", main, out);
	for (char **f = files; f && *f; f++)
		file_settings(*f, audit_view_text(view, *f), out);
	strv_free(files);
	for (size_t i = 0; i < view->cfg.n; i++)
		if (!strncmp(view->cfg.kv[i].key, "sysctl.", 7))
			strv_addf(out, "%s=%s\t" NODECFG_PATH, view->cfg.kv[i].key + 7, view->cfg.kv[i].val);
}

/* Whether p (inside data) starts a string rather than continues a longer
 * key: what precedes it is no key character (a string before it ends in a
 * NUL; the first of a section may follow other data). */
static bool starts_string(const char *data, const char *p)
{
	return p == data || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-", p[-1]) ||
	       !p[-1];
}

/* Whether /init carries s as a whole string (NUL-terminated). */
static bool in_init(const struct audit_file *init, const char *s)
{
	const char *d = init->data, *end = d + init->size;
	size_t n = strlen(s) + 1;
	for (const char *p = d; p < end && (p = memmem(p, (size_t)(end - p), s, n)); p++)
		if (starts_string(d, p))
			return true;
	return false;
}

/* Fails v for every whole string "key=OTHER" in /init, kl the length of
 * "key=" in want ("key=value"). */
static void init_other_values(const struct audit_file *init, const char *want, size_t kl,
			      struct audit_verdict *v)
{
	const char *d = init->data, *end = d + init->size;
	for (const char *p = d; p < end && (p = memmem(p, (size_t)(end - p), want, kl)); p++) {
		if (!starts_string(d, p))
			continue;
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		if (len > 256 || (nul && !strcmp(p, want)))
			continue;
		verdict_fail(v, INIT " sets %.*s, hardening wants %s", (int)len, p, want);
	}
}

void audit_sysctl(const struct audit_subject *s, struct audit_verdict *v)
{
	const struct audit_file *init = audit_view_get(s->view, INIT);
	struct strv set = STRV_INIT;
	if (!init || !S_ISREG(init->mode) || !init->data) {
		verdict_missing(v, "no " INIT " in the node's layers");
		return;
	}
	settings(s->view, &set);
	size_t applied = 0;
	for (size_t i = 0; required[i]; i++) {
		const char *want = required[i];
		size_t kl = strcspn(want, "=");
		for (size_t k = 0; k < set.n; k++) {
			const char *got = set.v[k];
			if (strncmp(got, want, kl) || got[kl] != '=')
				continue;
			size_t vl = strcspn(got + kl + 1, "\t");
			if (strlen(want + kl + 1) != vl || strncmp(got + kl + 1, want + kl + 1, vl))
				verdict_fail(v, "%s sets %.*s, hardening wants %s", got + kl + 1 + vl + 1,
					     (int)(kl + 1 + vl), got, want);
		}
		init_other_values(init, want, kl + 1, v);
		if (in_init(init, want))
			applied++;
		else
			verdict_fail(v, "%s is not applied (not in " INIT "'s list)", want);
	}
	verdict_note(v, "%zu hardening settings applied at boot (" INIT ")", applied);
	strv_clear(&set);
}
