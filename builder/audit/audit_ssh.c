/* audit_ssh: OpenSSH key-only and hardened; host keys, certificates and
 * authorized keys in place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audit/audit_check.h"
#include "audit/audit_sshd.h"
#include "strv.h"

/* The settings a hardened sshd must have, with OpenSSH's default for when
 * the file does not say (Debian 12's sshd). */
static const struct sshd_rule {
	const char *name, *alias, *want, *dflt;
} rules[] = {
	{ "PasswordAuthentication", NULL, "no", "yes" },
	{ "KbdInteractiveAuthentication", "ChallengeResponseAuthentication", "no", "yes" },
	{ "PermitEmptyPasswords", NULL, "no", "no" },
	{ "PermitRootLogin", NULL, "no", "prohibit-password" },
	{ "X11Forwarding", NULL, "no", "no" },
	{ "AllowAgentForwarding", NULL, "no", "yes" },
	{ "AllowTcpForwarding", NULL, "no", "yes" },
	{ "PubkeyAuthentication", NULL, "yes", "yes" },
};

#define MAX_AUTH_TRIES 3

/* Algorithms sshd_config may list: modern ones only (what ssh-audit does
 * not fail). */
static const char *const kex_ok[] = {
	"sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512", "mlkem768x25519-sha256",
	"curve25519-sha256", "curve25519-sha256@libssh.org", "diffie-hellman-group16-sha512",
	"diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha256", NULL,
};
static const char *const cipher_ok[] = {
	"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com",
	"aes256-ctr", "aes192-ctr", "aes128-ctr", NULL,
};
static const char *const mac_ok[] = {
	"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "umac-128-etm@openssh.com", NULL,
};
static const char *const key_ok[] = {
	"ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com",
	"sk-ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"rsa-sha2-256", "rsa-sha2-512", "rsa-sha2-256-cert-v01@openssh.com",
	"rsa-sha2-512-cert-v01@openssh.com", NULL,
};
static const struct alg_list {
	const char *key;
	const char *const *ok;
} alg_lists[] = {
	{ "kexalgorithms", kex_ok },
	{ "ciphers", cipher_ok },
	{ "macs", mac_ok },
	{ "hostkeyalgorithms", key_ok },
	{ "pubkeyacceptedalgorithms", key_ok },
	{ "pubkeyacceptedkeytypes", key_ok },
	{ "casignaturealgorithms", key_ok },
	{ "hostbasedacceptedalgorithms", key_ok },
};

static bool listed(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* Reads the view's sshd_config; false (with the verdict set) when it
 * cannot be judged. */
static bool load(const struct audit_subject *s, struct sshd_config *c, struct audit_verdict *v)
{
	char *problem = NULL;
	int r = sshd_config_read(s->view, SSHD_CONFIG, c, &problem);
	if (r == -ENOENT) {
		verdict_missing(v, "no %s in the node's layers (OpenSSH is not in the image)", SSHD_CONFIG);
		return false;
	}
	if (r < 0) {
		verdict_fail(v, "%s: out of memory", SSHD_CONFIG);
		return false;
	}
	if (problem)
		verdict_fail(v, "%s", problem);
	free(problem);
	return true;
}

static void check_rule(const struct sshd_config *c, const struct sshd_rule *r, struct audit_verdict *v)
{
	const struct sshd_opt *o = sshd_global(c, r->name, r->alias);
	const char *val = o ? o->args[0] : r->dflt;
	if (strcasecmp(val, r->want))
		verdict_fail(v, "%s %s%s", r->name, val, o ? "" : " (OpenSSH's default)");
	for (size_t i = 0; i < c->n; i++) {
		const struct sshd_opt *m = &c->v[i];
		if (m->in_match && (!strcasecmp(m->key, r->name) || (r->alias && !strcasecmp(m->key, r->alias))) &&
		    strcasecmp(m->args[0], r->want))
			verdict_fail(v, "%s: %s %s in a Match block", m->where, r->name, m->args[0]);
	}
}

static void check_algorithms(const struct sshd_config *c, struct audit_verdict *v)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct sshd_opt *o = &c->v[i];
		for (size_t k = 0; k < sizeof(alg_lists) / sizeof(*alg_lists); k++) {
			if (strcmp(o->key, alg_lists[k].key))
				continue;
			const char *list = o->args[0];
			if (*list == '-')
				continue;       /* removes from the defaults */
			if (*list == '+' || *list == '^')
				list++;
			char *copy = strdup(list), *save = NULL;
			for (char *a = copy ? strtok_r(copy, ",", &save) : NULL; a; a = strtok_r(NULL, ",", &save))
				if (!listed(alg_lists[k].ok, a))
					verdict_fail(v, "%s: %s lists %s, not a modern algorithm", o->where,
						     o->key, a);
			free(copy);
		}
	}
}

/* AllowUsers of every line (outside Match), as sshd adds them up. */
static void allow_users(const struct sshd_config *c, struct strv *users)
{
	for (size_t i = 0; i < c->n; i++)
		if (!c->v[i].in_match && !strcmp(c->v[i].key, "allowusers"))
			for (char **a = c->v[i].args; *a; a++)
				strv_add(users, *a);
}

void audit_ssh_config(const struct audit_subject *s, struct audit_verdict *v)
{
	struct sshd_config c = { 0 };
	struct strv users = STRV_INIT;
	if (!load(s, &c, v))
		goto out;
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++)
		check_rule(&c, &rules[i], v);
	const struct sshd_opt *o = sshd_global(&c, "maxauthtries", NULL);
	long tries = o ? strtol(o->args[0], NULL, 10) : 6;
	if (tries < 1 || tries > MAX_AUTH_TRIES)
		verdict_fail(v, "MaxAuthTries %s%s, at most %d", o ? o->args[0] : "6", o ? "" : " (OpenSSH's default)",
			     MAX_AUTH_TRIES);
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].in_match && !strcmp(c.v[i].key, "maxauthtries") &&
		    strtol(c.v[i].args[0], NULL, 10) > MAX_AUTH_TRIES)
			verdict_fail(v, "%s: MaxAuthTries %s in a Match block", c.v[i].where, c.v[i].args[0]);
	for (size_t i = 0; i < c.n; i++)
		for (char **a = !strcmp(c.v[i].key, "authenticationmethods") ? c.v[i].args : NULL; a && *a; a++)
			if (strstr(*a, "password") || strstr(*a, "keyboard-interactive"))
				verdict_fail(v, "%s: AuthenticationMethods %s", c.v[i].where, *a);
	allow_users(&c, &users);
	if (users.n == 0)
		verdict_fail(v, "AllowUsers not set: every account may log in");
	for (size_t i = 0; i < users.n; i++)
		if (!strcmp(users.v[i], "*") || !strcmp(users.v[i], "root") || !strncmp(users.v[i], "root@", 5))
			verdict_fail(v, "AllowUsers %s", users.v[i]);
	check_algorithms(&c, v);
	verdict_note(v, "key-only, no root, MaxAuthTries %ld, no forwarding, AllowUsers %s", tries,
		     users.n ? users.v[0] : "");
out:
	strv_clear(&users);
	sshd_config_free(&c);
}

/* A host key file: root's, 0600 or stricter, a private key, its .pub. */
static void check_host_key(const struct audit_view *view, const char *path, struct audit_verdict *v)
{
	const struct audit_file *f = audit_view_get(view, path);
	if (!f || !S_ISREG(f->mode)) {
		verdict_missing(v, "host key %s", path);
		return;
	}
	if (f->uid != 0)
		verdict_fail(v, "%s is owned by uid %u, not root", path, f->uid);
	if (f->mode & 077)
		verdict_fail(v, "%s is %04o, not 0600", path, (unsigned)(f->mode & 07777));
	struct key_hits h = { 0 };
	if (f->data)
		keyscan_buf(f->data, (size_t)f->size, path, &h);
	if (h.n == 0)
		verdict_fail(v, "%s holds no private key", path);
	key_hits_clear(&h);
	char pub[4200];
	snprintf(pub, sizeof(pub), "%s.pub", path);
	if (!audit_view_get(view, pub))
		verdict_missing(v, "%s", pub);
}

void audit_ssh_host_keys(const struct audit_subject *s, struct audit_verdict *v)
{
	static const char *const defaults[] = { "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key",
						"/etc/ssh/ssh_host_rsa_key", NULL };
	struct sshd_config c = { 0 };
	size_t keys = 0, certs = 0;
	if (!load(s, &c, v))
		goto out;
	for (size_t i = 0; i < c.n; i++)
		if (!c.v[i].in_match && !strcmp(c.v[i].key, "hostkey")) {
			check_host_key(s->view, c.v[i].args[0], v);
			keys++;
		}
	/* without HostKey lines sshd loads the default keys that exist */
	for (size_t i = 0; keys == 0 && defaults[i]; i++)
		if (audit_view_get(s->view, defaults[i])) {
			check_host_key(s->view, defaults[i], v);
			keys++;
		}
	if (keys == 0)
		verdict_missing(v, "no host key (HostKey, or /etc/ssh/ssh_host_*_key)");
	for (size_t i = 0; i < c.n; i++) {
		if (c.v[i].in_match || strcmp(c.v[i].key, "hostcertificate"))
			continue;
		const char *path = c.v[i].args[0], *text = audit_view_text(s->view, path);
		certs++;
		if (!text)
			verdict_missing(v, "host certificate %s", path);
		else if (!strstr(text, "-cert-v01@openssh.com "))
			verdict_fail(v, "%s is not an OpenSSH certificate", path);
	}
	if (certs == 0)
		verdict_missing(v, "no HostCertificate in %s", SSHD_CONFIG);
	verdict_note(v, "%zu host key(s), root-owned 0600, %zu certificate(s)", keys, certs);
out:
	sshd_config_free(&c);
}

/* AuthorizedKeysFile's token expanded for user; NULL if it cannot be
 * placed (a %h without a home, a path relative to one). */
static char *keys_path(const struct audit_view *view, const char *tmpl, const char *user)
{
	char *home = NULL;
	audit_passwd_lookup(view, user, NULL, &home);
	struct strbuf sb = STRBUF_INIT;
	if (*tmpl != '/' && *tmpl != '%') {
		if (!home)
			return NULL;
		sb_printf(&sb, "%s/", home);
	}
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%' || !p[1]) {
			sb_add(&sb, p, 1);
		} else if (*++p == 'u') {
			sb_adds(&sb, user);
		} else if (*p == 'h' && home) {
			sb_adds(&sb, home);
		} else if (*p == '%') {
			sb_adds(&sb, "%");
		} else {
			sb_free(&sb);
			free(home);
			return NULL;
		}
	}
	free(home);
	return sb_steal(&sb);
}

/* Whether an authorized_keys text has a key line. */
static bool has_key_line(const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		l += strspn(l, " \t");
		if (*l && *l != '#' && *l != '\n')
			return true;
	}
	return false;
}

/* Whether user has a key to log in with; fails what is unsafe.  No key
 * at all is no failure: nobody logs in as user (the build warned). */
static bool check_user_keys(const struct audit_view *view, const struct sshd_config *c, const char *user,
			    struct audit_verdict *v)
{
	const struct sshd_opt *o = sshd_global(c, "authorizedkeysfile", NULL);
	static char *const dflt[] = { ".ssh/authorized_keys", ".ssh/authorized_keys2", NULL };
	bool found = false;
	if (!audit_passwd_lookup(view, user, NULL, NULL))
		verdict_fail(v, "AllowUsers %s has no account in /etc/passwd", user);
	for (char *const *t = o ? o->args : dflt; *t; t++) {
		char *path = keys_path(view, *t, user);
		const struct audit_file *f = path ? audit_view_get(view, path) : NULL;
		if (f && S_ISREG(f->mode) && f->data && has_key_line(f->data)) {
			found = true;
			if (f->mode & 022)
				verdict_fail(v, "%s is %04o: others may write it", path, (unsigned)(f->mode & 07777));
			struct key_hits h = { 0 };
			keyscan_buf(f->data, strlen(f->data), path, &h);
			if (h.n)
				verdict_fail(v, "%s holds a private key", path);
			key_hits_clear(&h);
		}
		free(path);
	}
	return found;
}

void audit_ssh_authorized_keys(const struct audit_subject *s, struct audit_verdict *v)
{
	struct sshd_config c = { 0 };
	struct strv users = STRV_INIT;
	if (!load(s, &c, v))
		goto out;
	allow_users(&c, &users);
	size_t named = 0;
	const char *keyless = NULL;
	for (size_t i = 0; i < users.n; i++) {
		char *u = users.v[i];
		u[strcspn(u, "@")] = '\0';      /* user@host: the user */
		if (strpbrk(u, "*?!"))
			continue;
		named++;
		if (!check_user_keys(s->view, &c, u, v) && !keyless)
			keyless = u;
	}
	if (named == 0)
		verdict_missing(v, "AllowUsers names no user");
	if (keyless)
		verdict_note(v, "no authorized key for %s: nobody logs in as %s", keyless, keyless);
	else
		verdict_note(v, "authorized keys for %s", users.n ? users.v[0] : "");
out:
	strv_clear(&users);
	sshd_config_free(&c);
}
