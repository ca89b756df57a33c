/* audit_sshd: sshd_config parsed from a node's view. */
#include "audit/audit_sshd.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "strv.h"

#define INCLUDE_DEPTH 16

struct parse {
	const struct audit_view *view;
	struct sshd_config *c;
	bool in_match;
	struct strbuf errors;
};

static void note(struct parse *ps, const char *where, const char *what)
{
	if (ps->errors.len)
		sb_adds(&ps->errors, "; ");
	sb_printf(&ps->errors, "%s: %s", where, what);
}

/* Splits a line's value into words; double quotes group. */
static int words(const char *s, struct strv *out)
{
	while (*s) {
		s += strspn(s, " \t\r");
		if (!*s)
			break;
		if (*s == '"') {
			const char *e = strchr(s + 1, '"');
			if (!e)
				return -EINVAL;
			strv_add_owned(out, strndup(s + 1, (size_t)(e - s - 1)));
			s = e + 1;
		} else {
			size_t n = strcspn(s, " \t\r");
			strv_add_owned(out, strndup(s, n));
			s += n;
		}
	}
	return 0;
}

static void add_opt(struct parse *ps, char *key, char **args, const char *where)
{
	struct sshd_config *c = ps->c;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		struct sshd_opt *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			free(key);
			strv_free(args);
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct sshd_opt){ key, args, ps->in_match, strdup(where) };
}

static int parse_file(struct parse *ps, const char *path, int depth);

static void include(struct parse *ps, char *const *args, const char *where, int depth)
{
	if (depth >= INCLUDE_DEPTH) {
		note(ps, where, "Include nested too deep (a loop?)");
		return;
	}
	for (; *args; args++) {
		char *pattern = NULL;
		if (asprintf(&pattern, "%s%s", **args == '/' ? "" : "/etc/ssh/", *args) < 0) {
			ps->c->oom = true;
			return;
		}
		char **paths = audit_view_glob(ps->view, pattern);
		free(pattern);
		if (!paths) {
			ps->c->oom = true;
			return;
		}
		for (char **p = paths; *p; p++)
			parse_file(ps, *p, depth + 1);
		strv_free(paths);
	}
}

static void parse_line(struct parse *ps, char *line, const char *where, int depth)
{
	char *s = line + strspn(line, " \t\r");
	if (!*s || *s == '#')
		return;
	size_t kl = strcspn(s, " \t\r=");
	char *key = strndup(s, kl);
	struct strv args = STRV_INIT;
	if (!key) {
		ps->c->oom = true;
		return;
	}
	for (char *k = key; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	s += kl;
	s += strspn(s, " \t\r");
	if (*s == '=')
		s++;
	if (words(s, &args) < 0 || args.n == 0) {
		char *msg = NULL;
		if (asprintf(&msg, "%s %s", key, args.n ? "has an unterminated quote" : "has no value") >= 0)
			note(ps, where, msg);
		free(msg);
		free(key);
		strv_clear(&args);
		return;
	}
	if (!strcmp(key, "match")) {
		ps->in_match = true;
	} else if (!strcmp(key, "include")) {
		include(ps, args.v, where, depth);
	} else {
		char **v = strv_steal(&args);
		if (!v) {
			ps->c->oom = true;
			free(key);
			return;
		}
		add_opt(ps, key, v, where);
		return;
	}
	free(key);
	strv_clear(&args);
}

static int parse_file(struct parse *ps, const char *path, int depth)
{
	const char *text = audit_view_text(ps->view, path);
	if (!text)
		return -ENOENT;
	char *copy = strdup(text);
	if (!copy) {
		ps->c->oom = true;
		return -ENOMEM;
	}
	unsigned lineno = 0;
	for (char *line = copy, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char where[256];
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		parse_line(ps, line, where, depth);
	}
	free(copy);
	return 0;
}

int sshd_config_read(const struct audit_view *v, const char *path, struct sshd_config *c, char **ret_error)
{
	struct parse ps = { v, c, false, STRBUF_INIT };
	*ret_error = NULL;
	int r = parse_file(&ps, path, 0);
	if (r == 0 && c->oom)
		r = -ENOMEM;
	if (r == 0)
		*ret_error = sb_steal(&ps.errors);
	sb_free(&ps.errors);
	return r;
}

const struct sshd_opt *sshd_global(const struct sshd_config *c, const char *key, const char *alias)
{
	for (size_t i = 0; i < c->n; i++)
		if (!c->v[i].in_match && (!strcasecmp(c->v[i].key, key) || (alias && !strcasecmp(c->v[i].key, alias))))
			return &c->v[i];
	return NULL;
}

void sshd_config_free(struct sshd_config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		strv_free(c->v[i].args);
		free(c->v[i].where);
	}
	free(c->v);
	*c = (struct sshd_config){ 0 };
}
