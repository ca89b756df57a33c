/* cfg_strings: the model's string lists ([]string, cfg_strs) and maps
 * (map[string]string, cfg_kvs; map[string][]string, cfg_kv_list), kept in
 * the order the file gives.  A cfg_strs is lib/strv's vector as the model
 * shows it (NULL-terminated v, n) and grows through strv. */
#ifndef PADDOCK_CFG_STRINGS_H
#define PADDOCK_CFG_STRINGS_H

#include <stdbool.h>
#include <stddef.h>

struct cfg_strs {
	char **v;       /* NULL-terminated once anything was added; else NULL */
	size_t n;
	size_t cap;     /* slots allocated */
};

struct cfg_kv {
	char *key;
	char *val;
};

struct cfg_kvs {
	struct cfg_kv *v;
	size_t n;
};

struct cfg_kv_list {
	char **keys;
	struct cfg_strs *vals;
	size_t n;
};

/* Appends a copy of str. */
int cfg_strs_add(struct cfg_strs *s, const char *str);
bool cfg_strs_contains(const struct cfg_strs *s, const char *str);
void cfg_strs_free(struct cfg_strs *s);

/* The value of key, or NULL. */
const char *cfg_kv_get(const struct cfg_kvs *kv, const char *key);

/* Fills one entry with copies of key and val; on failure it holds nothing
 * (-ENOMEM). */
int cfg_kv_init(struct cfg_kv *e, const char *key, const char *val);

/* Sets key to a copy of val, replacing an earlier value. */
int cfg_kvs_set(struct cfg_kvs *kv, const char *key, const char *val);

void cfg_kvs_free(struct cfg_kvs *kv);
void cfg_kv_list_free(struct cfg_kv_list *l);

#endif
