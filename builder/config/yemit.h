/* yemit: YAML written by libyaml's emitter, never by hand.  A document is
 * built with libyaml's document API: trees read from cluster.yml
 * (ytree.h) are copied in node by node, generated values added beside
 * them, and the whole dumped to a string.
 *
 * Copied scalars keep what they meant in cluster.yml: a plain scalar is
 * emitted plain (so `5000` stays a number and `true` a boolean for the
 * reader), a quoted or !!str one quoted (a string).  Aliases are written
 * out as copies of what they name (bounded by ytree's alias weight). */
#ifndef PADDOCK_YEMIT_H
#define PADDOCK_YEMIT_H

#include <stddef.h>
#include <yaml.h>

#include "config/ytree.h"
#include "perr.h"

/* Starts an empty document (block style, no `---`); the first node
 * added is its root. */
int ydoc_init(yaml_document_t *d, struct perr *err);

/* Node ids (> 0) of new nodes; 0 when out of memory. */
int ydoc_tree(yaml_document_t *d, const struct ynode *n);
/* A string; quoted when plain it would read as something else
 * (a number, a boolean, null, or empty). */
int ydoc_str(yaml_document_t *d, const char *s);
int ydoc_int(yaml_document_t *d, long long v);
/* A plain true or false: a boolean for the reader. */
int ydoc_bool(yaml_document_t *d, int v);
int ydoc_map(yaml_document_t *d);
int ydoc_seq(yaml_document_t *d);

/* Appends `key: value` (a node id) to the mapping map; 0 or -ENOMEM,
 * also when value is 0 (a failed add before). */
int ydoc_set(yaml_document_t *d, int map, const char *key, int value);
/* Appends `key: value` for each pair of kv (KEY, VALUE, ..., NULL), the
 * values as ydoc_str; 0 or -ENOMEM. */
int ydoc_set_strs(yaml_document_t *d, int map, const char *const *kv);
/* Appends key: value, both node ids (a key copied with ydoc_tree). */
int ydoc_pair(yaml_document_t *d, int map, int key, int value);
/* Appends item (a node id) to the sequence seq; as ydoc_set. */
int ydoc_push(yaml_document_t *d, int seq, int item);

/* Writes d as YAML into *out (heap, NUL-terminated, *len bytes without
 * the NUL) and deletes d, also on failure. */
int ydoc_dump(yaml_document_t *d, char **out, size_t *len, struct perr *err);

#endif
