/* ytree: a YAML document as a tree with source positions.
 *
 * Built from libyaml events with hard bounds, because cluster.yml comes
 * from outside: input size, nesting depth, and alias expansion (an alias
 * counts as the whole subtree it names, so "billion laughs" documents are
 * refused before any walk over them can blow up).  Aliases share the
 * anchored node (reference counted); merge keys (`<<`) are expanded as
 * yaml.v2 does.  Duplicate keys keep the last value, as RKE's yaml.v2 does,
 * and are reported as warnings. */
#ifndef PADDOCK_YTREE_H
#define PADDOCK_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/diag.h"
#include "perr.h"

#define YTREE_MAX_BYTES (16u << 20)    /* 16 MiB */
#define YTREE_MAX_DEPTH 64
#define YTREE_MAX_ALIASES 1000
#define YTREE_MAX_ANCHORS 10000
#define YTREE_MAX_WEIGHT 1000000        /* nodes, counting alias expansion */

enum ynode_kind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ynode_kind kind;
	int line, col;          /* 1-based start of the node */
	unsigned refs;
	size_t weight;          /* nodes in this subtree, aliases expanded */
	/* scalar */
	char *val;              /* NUL-terminated; may contain NULs (len) */
	size_t len;
	bool plain;             /* unquoted, no explicit tag: YAML 1.1 resolution applies */
	bool str_tag;           /* explicit !!str */
	/* sequence: items[i]; mapping: items[2i] key (scalar), items[2i+1] value */
	struct ynode **items;
	size_t n;               /* number of items (entries for maps: n pairs) */
	size_t cap;             /* slots allocated in items */
};

/* Number of key/value pairs of a mapping. */
static inline size_t ymap_len(const struct ynode *m) { return m->n; }
static inline const struct ynode *ymap_key(const struct ynode *m, size_t i) { return m->items[2 * i]; }
static inline const struct ynode *ymap_val(const struct ynode *m, size_t i) { return m->items[2 * i + 1]; }

/* Parses the first document of buf[0..len), as yaml.v2's Unmarshal does;
 * name is used in messages.  *out is NULL for an empty document (only
 * comments).  Duplicate keys and documents after the first are reported to
 * diags; an empty first document followed by others is an error.  An
 * unrendered template gets the error, and the notes list its others. */
int ytree_parse(const char *name, const char *buf, size_t len, struct ynode **out,
		struct diag_list *diags, struct perr *err);

/* Reads path (bounded to YTREE_MAX_BYTES) into a new buffer (ytree_read.c). */
int ytree_read_file(const char *path, char **buf, size_t *len, struct perr *err);

void ynode_unref(struct ynode *n);

/* Value for key in mapping m (last wins already applied), or NULL. */
const struct ynode *ymap_get(const struct ynode *m, const char *key);

/* YAML 1.1 null: a plain "", "~", "null", "Null", "NULL". */
bool ynode_is_null(const struct ynode *n);

#endif
