/* ytree_get: typed reads of a schema-checked cluster.yml tree into the
 * model's types.  The schema check has refused wrong types already, so a
 * value of another kind reads as absent, and a NULL mapping reads as an
 * empty one.  Functions returning int fail only with -ENOMEM. */
#ifndef PADDOCK_YTREE_GET_H
#define PADDOCK_YTREE_GET_H

#include <stdbool.h>

#include "config/config.h"
#include "config/cfg_strings.h"
#include "config/ytree.h"

/* A copy of the scalar at key; NULL when absent or null. */
int yget_str(const struct ynode *m, const char *key, char **out);
/* As yget_str; an empty value counts as absent and gets a copy of def
 * (none when def is NULL). */
int yget_str_def(const struct ynode *m, const char *key, const char *def, char **out);
long long yget_int(const struct ynode *m, const char *key, long long def);
/* For Go int fields, where RKE's defaults treat zero as unset. */
long long yget_int_nz(const struct ynode *m, const char *key, long long def);
bool yget_bool(const struct ynode *m, const char *key, bool def);
enum cfg_tri yget_tri(const struct ynode *m, const char *key);
/* The mapping at key, or NULL. */
const struct ynode *yget_map(const struct ynode *m, const char *key);
/* Appends the scalars of sequence seq (null ones as ""). */
int yget_strs_node(const struct ynode *seq, struct cfg_strs *out);
int yget_strs(const struct ynode *m, const char *key, struct cfg_strs *out);
/* Appends the scalar entries of the mapping at key (null values as ""). */
int yget_kvs(const struct ynode *m, const char *key, struct cfg_kvs *out);

#endif
