/* strset: questions about sets of strings (strset.h). */
#include "config/strset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool str_in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

struct keyed {
	const char *key;
	size_t idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

int find_duplicate(const char *const *keys, size_t n, size_t *first, size_t *second)
{
	struct keyed *k = malloc((n ? n : 1) * sizeof(*k));
	size_t m = 0;
	bool found = false;
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (keys[i])
			k[m++] = (struct keyed){ keys[i], i };
	qsort(k, m, sizeof(*k), cmp_keyed);
	for (size_t i = 0; i + 1 < m; i++) {
		if (strcmp(k[i].key, k[i + 1].key) || (i > 0 && !strcmp(k[i - 1].key, k[i].key)))
			continue;
		if (!found || k[i + 1].idx < *second) {
			*first = k[i].idx;
			*second = k[i + 1].idx;
			found = true;
		}
	}
	free(k);
	return found;
}
