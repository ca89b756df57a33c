/* audit_accounts: no account has a usable password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_check.h"

#define PASSWD "/etc/passwd"
#define SHADOW "/etc/shadow"

/* Field i (from 0) of a colon-separated line, copied; NULL past the end. */
static char *field(const char *line, size_t len, int i)
{
	const char *p = line, *end = line + len;
	for (; i > 0 && p < end; i--) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (!c)
			return NULL;
		p = c + 1;
	}
	if (i > 0)
		return NULL;
	const char *c = memchr(p, ':', (size_t)(end - p));
	return strndup(p, (size_t)((c ? c : end) - p));
}

/* Calls fn for each non-empty line of text; stops when it returns false. */
static void each_line(const char *text, bool (*fn)(void *ctx, const char *line, size_t len), void *ctx)
{
	while (text && *text) {
		size_t len = strcspn(text, "\n");
		size_t l = len && text[len - 1] == '\r' ? len - 1 : len;
		if (l && *text != '#' && !fn(ctx, text, l))
			return;
		text += len + (text[len] == '\n');
	}
}

/* What a password field allows: NULL when it is locked ("*", "!", "!*",
 * "!!": no password can match). */
static const char *pw_problem(const char *pw)
{
	if (!*pw)
		return "an empty password (anyone may log in as it)";
	if (strspn(pw, "!*") == strlen(pw))
		return NULL;
	if (*pw == '!' || *pw == '*')
		return "a locked password hash (unlocking it restores the password)";
	return "a password hash";
}

struct scan {
	const char *prefix;     /* "" or "image paddock/sshd:1: " */
	const char *shadow;
	struct audit_verdict *v;
	size_t accounts;
};

static bool shadow_line(void *ctx, const char *line, size_t len)
{
	struct scan *s = ctx;
	char *name = field(line, len, 0), *pw = field(line, len, 1);
	const char *p = pw ? pw_problem(pw) : "no password field";
	if (p)
		verdict_fail(s->v, "%s" SHADOW ": %s has %s", s->prefix, name ? name : "?", p);
	free(name);
	free(pw);
	return true;
}

/* Whether shadow has a line for name. */
static bool in_shadow(const char *shadow, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = shadow; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, n) && l[n] == ':')
			return true;
	return false;
}

static bool passwd_line(void *ctx, const char *line, size_t len)
{
	struct scan *s = ctx;
	char *name = field(line, len, 0), *pw = field(line, len, 1), *uid = field(line, len, 2);
	s->accounts++;
	if (!name || !pw || !uid) {
		/* never quoted: it may hold a hash */
		verdict_fail(s->v, "%s" PASSWD ": malformed line %zu", s->prefix, s->accounts);
	} else if (!strcmp(pw, "x")) {
		if (!s->shadow)
			verdict_fail(s->v, "%s" PASSWD ": %s keeps its password in " SHADOW ", which is not there",
				     s->prefix, name);
		else if (!in_shadow(s->shadow, name))
			verdict_fail(s->v, "%s" PASSWD ": %s has no " SHADOW " entry", s->prefix, name);
	} else {
		const char *p = pw_problem(pw);
		if (p)
			verdict_fail(s->v, "%s" PASSWD ": %s has %s", s->prefix, name, p);
	}
	if (name && uid && !strcmp(uid, "0") && strcmp(name, "root"))
		verdict_fail(s->v, "%s" PASSWD ": %s has uid 0", s->prefix, name);
	free(name);
	free(pw);
	free(uid);
	return true;
}

/* One account database; the number of accounts. */
static size_t check_db(const char *prefix, const char *passwd, const char *shadow, mode_t shadow_mode,
		       struct audit_verdict *v)
{
	if (shadow && (shadow_mode & 007))
		verdict_fail(v, "%s" SHADOW " is %04o: everyone may read it", prefix, (unsigned)(shadow_mode & 07777));
	struct scan sc = { prefix, shadow, v, 0 };
	each_line(shadow, shadow_line, &sc);
	each_line(passwd, passwd_line, &sc);
	return sc.accounts;
}

void audit_accounts(const struct audit_subject *s, struct audit_verdict *v)
{
	const char *passwd = audit_view_text(s->view, PASSWD), *shadow = audit_view_text(s->view, SHADOW);
	if (!passwd && !shadow) {
		verdict_note(v, "no " PASSWD " or " SHADOW ": no account, no password");
		return;
	}
	const struct audit_file *sf = audit_view_get(s->view, SHADOW);
	size_t n = check_db("", passwd, shadow, sf ? sf->mode : 0, v);
	verdict_note(v, "%zu account(s), none with a usable password", n);
}

void audit_image_accounts(const struct audit_subject *s, struct audit_verdict *v)
{
	size_t images = 0, accounts = 0;
	for (size_t i = 0; i < s->view->nlayers; i++) {
		const struct audit_layer *l = s->view->layers[i];
		for (size_t k = 0; k < l->nimages; k++) {
			const struct audit_image *m = &l->images[k];
			char *prefix = NULL;
			if (!m->file[IMAGE_PASSWD] && !m->file[IMAGE_SHADOW])
				continue;
			if (asprintf(&prefix, "image %s: ", m->tag) < 0) {
				verdict_fail(v, "out of memory");
				return;
			}
			images++;
			accounts += check_db(prefix, m->file[IMAGE_PASSWD], m->file[IMAGE_SHADOW],
					     m->mode[IMAGE_SHADOW], v);
			free(prefix);
		}
	}
	verdict_note(v, "%zu account(s) in %zu bundled image(s), none with a usable password", accounts, images);
}

struct lookup {
	const char *user;
	char *uid, *home;
	bool found;
};

static bool lookup_line(void *ctx, const char *line, size_t len)
{
	struct lookup *l = ctx;
	size_t n = strlen(l->user);
	if (len <= n || strncmp(line, l->user, n) || line[n] != ':')
		return true;
	l->found = true;
	l->uid = field(line, len, 2);
	l->home = field(line, len, 5);
	return false;
}

bool audit_passwd_lookup(const struct audit_view *v, const char *user, unsigned *ret_uid, char **ret_home)
{
	struct lookup l = { user, NULL, NULL, false };
	each_line(audit_view_text(v, PASSWD), lookup_line, &l);
	if (ret_uid)
		*ret_uid = l.uid ? (unsigned)strtoul(l.uid, NULL, 10) : 0;
	if (ret_home)
		*ret_home = l.home && *l.home ? l.home : NULL;
	if (!ret_home || !(l.home && *l.home))
		free(l.home);
	free(l.uid);
	return l.found;
}
