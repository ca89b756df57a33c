/* ytree_get: typed reads of a schema-checked tree (ytree_get.h). */
#include "config/ytree_get.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_schema.h"

int yget_str(const struct ynode *m, const char *key, char **out)
{
	const struct ynode *v = ymap_get(m, key);
	*out = NULL;
	if (!v || ynode_is_null(v) || v->kind != Y_SCALAR)
		return 0;
	*out = strdup(v->val);
	return *out ? 0 : -ENOMEM;
}

int yget_str_def(const struct ynode *m, const char *key, const char *def, char **out)
{
	if (yget_str(m, key, out) < 0)
		return -ENOMEM;
	if (*out && !**out) {
		free(*out);
		*out = NULL;
	}
	if (!*out && def && !(*out = strdup(def)))
		return -ENOMEM;
	return 0;
}

long long yget_int(const struct ynode *m, const char *key, long long def)
{
	const struct ynode *v = ymap_get(m, key);
	long long x;
	if (!v || ynode_is_null(v) || !yscalar_int(v, &x))
		return def;
	return x;
}

long long yget_int_nz(const struct ynode *m, const char *key, long long def)
{
	long long x = yget_int(m, key, 0);
	return x ? x : def;
}

bool yget_bool(const struct ynode *m, const char *key, bool def)
{
	enum cfg_tri t = yget_tri(m, key);
	return t == CFG_UNSET ? def : t == CFG_TRUE;
}

enum cfg_tri yget_tri(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);
	bool b;
	if (!v || ynode_is_null(v) || !yscalar_bool(v, &b))
		return CFG_UNSET;
	return b ? CFG_TRUE : CFG_FALSE;
}

const struct ynode *yget_map(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);
	return v && v->kind == Y_MAP ? v : NULL;
}

int yget_strs_node(const struct ynode *seq, struct cfg_strs *out)
{
	if (!seq || seq->kind != Y_SEQ)
		return 0;
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->items[i];
		if (it->kind == Y_SCALAR && cfg_strs_add(out, ynode_is_null(it) ? "" : it->val) < 0)
			return -ENOMEM;
	}
	return 0;
}

int yget_strs(const struct ynode *m, const char *key, struct cfg_strs *out)
{
	return yget_strs_node(ymap_get(m, key), out);
}

/* The tree applied "last wins" already, so keys are unique and entries are
 * appended without a search. */
int yget_kvs(const struct ynode *m, const char *key, struct cfg_kvs *out)
{
	const struct ynode *v = yget_map(m, key);
	if (!v || !v->n)
		return 0;
	struct cfg_kv *p = realloc(out->v, (out->n + v->n) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	out->v = p;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *val = ymap_val(v, i);
		if (val->kind != Y_SCALAR)
			continue;
		if (cfg_kv_init(&p[out->n], ymap_key(v, i)->val, ynode_is_null(val) ? "" : val->val) < 0)
			return -ENOMEM;
		out->n++;
	}
	return 0;
}
