#include "config/schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int schema_child(int k, const char *name)
{
	if (k < 0 || (size_t)k >= schema_nkeys)
		return -1;
	const struct schema_key *p = &schema_keys[k];
	size_t lo = p->first, hi = (size_t)p->first + p->count;
	if (!p->count)
		return -1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(schema_keys[mid].name, name);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int schema_lookup(const char *path)
{
	int k = 0;
	const char *p = path;
	while (k >= 0 && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char *seg = strndup(p, n);
		if (!seg)
			return -1;
		k = schema_child(k, seg);
		free(seg);
		p += n;
		if (*p == '.')
			p++;
	}
	return k;
}

char *schema_path(int k)
{
	size_t len = 0;
	for (int i = k; i > 0; i = schema_keys[i].parent)
		len += strlen(schema_keys[i].name) + (len ? 1 : 0);
	char *s = malloc(len + 1);
	if (!s)
		return NULL;
	s[len] = '\0';
	size_t pos = len;
	for (int i = k; i > 0; i = schema_keys[i].parent) {
		if (pos < len)
			s[--pos] = '.';
		size_t n = strlen(schema_keys[i].name);
		pos -= n;
		memcpy(s + pos, schema_keys[i].name, n);
	}
	return s;
}
