#include "config/template.h"

#include <string.h>

#define SHOW_MAX 60

bool template_find_in(const char *s, size_t len, struct tmpl_hit *hit)
{
	for (size_t i = 0; i + 1 < len; i++) {
		char c = s[i];
		if (s[i + 1] != '{' || (c != '{' && c != '$' && c != '%'))
			continue;
		/* a closing brace on the same line makes it markup, not prose */
		const char *close = NULL;
		for (size_t j = i + 2; j < len && s[j] != '\n'; j++)
			if (s[j] == '}') {
				close = s + j;
				break;
			}
		if (!close)
			continue;
		size_t n = (size_t)(close - (s + i)) + 1;
		if (c == '{' && (close + 1 >= s + len || close[1] != '}'))
			continue;
		if (c == '{')
			n++;
		hit->line = 0;
		hit->col = (int)i + 1;
		hit->text = s + i;
		hit->len = n > SHOW_MAX ? SHOW_MAX : (int)n;
		return true;
	}
	return false;
}

bool template_find_at(const char *buf, size_t len, int line, struct tmpl_hit *hit)
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
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	if (!template_find_in(p, n, hit))
		return false;
	hit->line = line;
	return true;
}
