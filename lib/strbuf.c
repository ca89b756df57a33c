#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct strbuf *sb, size_t n)
{
	size_t need, cap;
	char *p;

	if (sb->err)
		return -1;
	if (n > (size_t)-1 / 2 - sb->len - 1 || (sb->max && sb->len + n > sb->max)) {
		sb->err = -E2BIG;
		return -1;
	}
	need = sb->len + n + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(sb->s, cap);
	if (!p) {
		sb->err = -ENOMEM;
		return -1;
	}
	sb->s = p;
	sb->cap = cap;
	return 0;
}

void sb_add(struct strbuf *sb, const void *p, size_t n)
{
	if (grow(sb, n) < 0)
		return;
	if (n)
		memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->err = sb->err ? sb->err : -EINVAL;
		return;
	}
	if (grow(sb, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_json_str(struct strbuf *sb, const char *s)
{
	sb_add(sb, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': sb_add(sb, "\\\"", 2); break;
		case '\\': sb_add(sb, "\\\\", 2); break;
		case '\n': sb_add(sb, "\\n", 2); break;
		case '\r': sb_add(sb, "\\r", 2); break;
		case '\t': sb_add(sb, "\\t", 2); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_printf(sb, "\\u%04x", *p);
			else
				sb_add(sb, p, 1);
		}
	}
	sb_add(sb, "\"", 1);
}

char *sb_steal(struct strbuf *sb)
{
	char *s = NULL;

	if (!sb->err) {
		s = sb->s;
		sb->s = NULL;
	}
	sb_free(sb);
	return s;
}

void sb_free(struct strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
	sb->err = 0;
}

void sb_json_strv(struct strbuf *sb, char *const *v)
{
	sb_add(sb, "[", 1);
	for (size_t i = 0; v[i]; i++) {
		if (i)
			sb_add(sb, ",", 1);
		sb_json_str(sb, v[i]);
	}
	sb_add(sb, "]", 1);
}
