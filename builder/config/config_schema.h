/* config_schema: checks a parsed cluster.yml against the key table.
 *
 * Type errors are errors, as in RKE's yaml.v2 (a quoted string in an int
 * field, a scalar where a list belongs, ...).  Where RKE silently ignores a
 * key, paddock warns: unknown or misspelt keys (with a suggestion),
 * sections at the wrong level, removed and legacy keys.  Unrendered
 * template markup in a value is an error. */
#ifndef PADDOCK_CONFIG_SCHEMA_H
#define PADDOCK_CONFIG_SCHEMA_H

#include <stdbool.h>

#include "config/diag.h"
#include "perr.h"
#include "config/ytree.h"

int config_check_schema(const struct ynode *root, const char *file, struct diag_list *diags,
			struct perr *err);

/* YAML 1.1 scalar resolution as yaml.v2 does it, for typed fields. */
bool yscalar_bool(const struct ynode *n, bool *out);             /* plain only */
bool yscalar_int(const struct ynode *n, long long *out);         /* plain only */

/* A suggestion for an unknown key under schema key `parent`: a sibling
 * spelt alike, or NULL.  Static storage. */
const char *schema_suggest(int parent, const char *key);

/* The key meant by a name other tools use in a section ("" for the top
 * level, "nodes" for a node): a node's `name` is its hostname_override, a
 * top-level `name` the cluster_name.  NULL when none.  Static storage. */
const char *schema_synonym(const char *section, const char *key);

#endif
