/* template: unrendered template markup (template.h). */
#include "config/template.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define SHOW_MAX 60
#define MAX_NOTES 5

/* Length of the markup starting at s[i], 0 for none.  A closing brace on
 * the same line is what makes `{{` markup rather than prose. */
static size_t markup_at(const char *s, size_t len, size_t i)
{
	char c = s[i], d = i + 1 < len ? s[i + 1] : '\0';
	const char *close = NULL;
	if ((c == '{' || c == '$' || c == '%') && d == '{') {
		for (size_t j = i + 2; j < len && s[j] != '\n' && !close; j++)
			if (s[j] == '}' && (c != '{' || (j + 1 < len && s[j + 1] == '}')))
				close = s + j + (c == '{');
	} else if (c == '{' && d == '%') {
		for (size_t j = i + 2; j + 1 < len && s[j] != '\n' && !close; j++)
			if (s[j] == '%' && s[j + 1] == '}')
				close = s + j + 1;
	} else if (c == '%' && (isalpha((unsigned char)d) || d == '_')) {
		/* Heat's %name%: a name and a closing '%', nothing else */
		size_t j = i + 1;
		while (j < len && j - i <= 64 && (isalnum((unsigned char)s[j]) || s[j] == '_'))
			j++;
		if (j < len && s[j] == '%')
			close = s + j;
	}
	return close ? (size_t)(close - (s + i)) + 1 : 0;
}

bool template_next(const char *s, size_t len, size_t *pos, struct tmpl_hit *hit)
{
	for (size_t i = *pos; i < len; i++) {
		size_t n = markup_at(s, len, i);
		if (!n)
			continue;
		*hit = (struct tmpl_hit){ 0, (int)i + 1, s + i, n > SHOW_MAX ? SHOW_MAX : (int)n };
		*pos = i + n;
		return true;
	}
	*pos = len;
	return false;
}

bool template_find_in(const char *s, size_t len, struct tmpl_hit *hit)
{
	size_t pos = 0;
	return template_next(s, len, &pos, hit);
}

/* Line `line` of buf (1-based): its start and length, without the '\n'. */
static bool line_span(const char *buf, size_t len, int line, const char **start, size_t *n)
{
	const char *p = buf, *end = buf + len;
	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
	}
	if (p >= end)
		return false;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*start = p;
	*n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	return true;
}

/* Length of a line without its comment: a '#' at its start or after a
 * blank, outside quotes. */
static size_t code_len(const char *p, size_t n)
{
	char quote = 0;
	for (size_t i = 0; i < n; i++) {
		if (quote) {
			quote = p[i] == quote ? 0 : quote;
			continue;
		}
		if (p[i] == '\'' || p[i] == '"')
			quote = p[i];
		else if (p[i] == '#' && (i == 0 || p[i - 1] == ' ' || p[i - 1] == '\t'))
			return i;
	}
	return n;
}

bool template_find_at(const char *buf, size_t len, int line, struct tmpl_hit *hit)
{
	const char *p;
	size_t n;
	if (!line_span(buf, len, line, &p, &n) || !template_find_in(p, code_len(p, n), hit))
		return false;
	hit->line = line;
	return true;
}

bool template_secret_key(const char *key)
{
	static const char *const words[] = { "password", "passwd", "secret", "token", "credential",
					     "private", "access_key", "accesskey", "apikey", "api_key",
					     NULL };
	char low[128];
	size_t n = 0;
	for (; key[n] && n + 1 < sizeof(low); n++)
		low[n] = (char)tolower((unsigned char)key[n]);
	low[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return true;
	/* ssh_key, etcd's key, s3's and ACI's *_key; not ssh_key_path */
	return !strcmp(low, "key") || (n > 4 && !strcmp(low + n - 4, "_key"));
}

void template_line_key(const char *buf, size_t len, int line, char *key, size_t cap)
{
	const char *p;
	size_t n, i = 0;
	key[0] = '\0';
	if (!cap || !line_span(buf, len, line, &p, &n))
		return;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '-'))
		i++;
	char q = i < n && (p[i] == '"' || p[i] == '\'') ? p[i++] : 0;
	size_t k = i;
	while (k < n && (q ? p[k] != q : p[k] != ':' && p[k] != ' '))
		k++;
	if (k + (q != 0) >= n || p[k + (q != 0)] != ':' || k - i >= cap)
		return;
	memcpy(key, p + i, k - i);
	key[k - i] = '\0';
}

void template_show(const struct tmpl_hit *hit, const char *key, char *out, size_t cap)
{
	if (key && template_secret_key(key))
		snprintf(out, cap, "in the value of `%.40s`, which may be a secret (not shown)", key);
	else
		snprintf(out, cap, "`%.*s`", hit->len, hit->text);
}

void template_note_all(const char *file, const char *buf, size_t len, int skip_line, int skip_col,
		       struct diag_list *diags)
{
	size_t notes = 0, more = 0;
	const char *p = buf, *end = buf + len;
	for (int line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), pos = 0;
		size_t code = code_len(p, n);
		char key[64];
		template_line_key(p, n, 1, key, sizeof(key));
		struct tmpl_hit hit;
		while (template_next(p, code, &pos, &hit)) {
			if (line == skip_line && hit.col == skip_col)
				continue;
			if (notes++ >= MAX_NOTES) {
				more++;
				continue;
			}
			char show[SHOW_MAX + 96];
			template_show(&hit, key, show, sizeof(show));
			diag_note(diags, file, line, hit.col, "unrendered template %s", show);
			if (template_secret_key(key))
				break;  /* once is enough where nothing is shown */
		}
		p = nl ? nl + 1 : end;
	}
	if (more)
		diag_note(diags, file, 0, 0, "and %zu more unrendered templates", more);
}
