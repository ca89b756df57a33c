#include "kcmdline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *kcmdline_value(const char *line, const char *key)
{
	size_t kl = strlen(key);
	const char *w = line, *found = NULL;
	size_t flen = 0;

	if (!line || !kl)
		return NULL;
	while (*w) {
		w += strspn(w, " \t\n");
		size_t len = strcspn(w, " \t\n");
		if (len >= kl && !strncmp(w, key, kl) && (len == kl || w[kl] == '=')) {
			found = len == kl ? w + kl : w + kl + 1;
			flen = len == kl ? 0 : len - kl - 1;
		}
		w += len;
	}
	return found ? strndup(found, flen) : NULL;
}

char *kcmdline_get_from(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *v = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getline(&line, &cap, f) > 0)
		v = kcmdline_value(line, key);
	free(line);
	fclose(f);
	return v;
}
