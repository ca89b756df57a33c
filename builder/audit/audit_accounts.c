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
	const struct audit_view *view;
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
		verdict_fail(s->v, SHADOW ": %s has %s", name ? name : "?", p);
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
		verdict_fail(s->v, PASSWD ": malformed line %zu", s->accounts);   /* never quote it: it may hold a hash */
	} else if (!strcmp(pw, "x")) {
		if (!s->shadow)
			verdict_fail(s->v, PASSWD ": %s keeps its password in " SHADOW ", which is not there", name);
		else if (!in_shadow(s->shadow, name))
			verdict_fail(s->v, PASSWD ": %s has no " SHADOW " entry", name);
	} else {
		const char *p = pw_problem(pw);
		if (p)
			verdict_fail(s->v, PASSWD ": %s has %s", name, p);
	}
	if (name && uid && !strcmp(uid, "0") && strcmp(name, "root"))
		verdict_fail(s->v, PASSWD ": %s has uid 0", name);
	free(name);
	free(pw);
	free(uid);
	return true;
}

void audit_accounts(const struct audit_subject *s, struct audit_verdict *v)
{
	const char *passwd = audit_view_text(s->view, PASSWD), *shadow = audit_view_text(s->view, SHADOW);
	if (!passwd && !shadow) {
		verdict_note(v, "no " PASSWD " or " SHADOW ": no account, no password");
		return;
	}
	const struct audit_file *sf = audit_view_get(s->view, SHADOW);
	if (sf && (sf->mode & 007))
		verdict_fail(v, SHADOW " is %04o: everyone may read it", (unsigned)(sf->mode & 07777));
	struct scan sc = { s->view, shadow, v, 0 };
	each_line(shadow, shadow_line, &sc);
	each_line(passwd, passwd_line, &sc);
	verdict_note(v, "%zu account(s), none with a usable password", sc.accounts);
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
