/* cfg_strings: the model's string lists and maps (cfg_strings.h). */
#include "config/cfg_strings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

/* A cfg_strs is a strv without its sticky failure flag. */
static struct strv as_strv(const struct cfg_strs *s)
{
	return (struct strv){ s->v, s->n, s->cap, false };
}

int cfg_strs_add(struct cfg_strs *s, const char *str)
{
	struct strv t = as_strv(s);
	strv_add(&t, str);
	*s = (struct cfg_strs){ t.v, t.n, t.cap };
	return t.oom ? -ENOMEM : 0;
}

bool cfg_strs_contains(const struct cfg_strs *s, const char *str)
{
	struct strv t = as_strv(s);
	return strv_contains(&t, str);
}

void cfg_strs_free(struct cfg_strs *s)
{
	strv_free(s->v);
	*s = (struct cfg_strs){ 0 };
}

const char *cfg_kv_get(const struct cfg_kvs *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->v[i].key, key))
			return kv->v[i].val;
	return NULL;
}

int cfg_kv_init(struct cfg_kv *e, const char *key, const char *val)
{
	e->key = strdup(key);
	e->val = strdup(val);
	if (e->key && e->val)
		return 0;
	free(e->key);
	free(e->val);
	*e = (struct cfg_kv){ 0 };
	return -ENOMEM;
}

int cfg_kvs_set(struct cfg_kvs *kv, const char *key, const char *val)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->v[i].key, key)) {
			char *nv = strdup(val);
			if (!nv)
				return -ENOMEM;
			free(kv->v[i].val);
			kv->v[i].val = nv;
			return 0;
		}
	struct cfg_kv *p = realloc(kv->v, (kv->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	kv->v = p;
	if (cfg_kv_init(&p[kv->n], key, val) < 0)
		return -ENOMEM;
	kv->n++;
	return 0;
}

void cfg_kvs_free(struct cfg_kvs *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].val);
	}
	free(kv->v);
	*kv = (struct cfg_kvs){ 0 };
}

void cfg_kv_list_free(struct cfg_kv_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		cfg_strs_free(&l->vals[i]);
	}
	free(l->keys);
	free(l->vals);
	*l = (struct cfg_kv_list){ 0 };
}
