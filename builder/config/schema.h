/* schema: every key of RKE's cluster.yml (and paddock's own) with its type.
 * The table is generated (tools/gen-schema, builder/config/schema_keys.c); this
 * module also checks a parsed document against it. */
#ifndef PADDOCK_SCHEMA_H
#define PADDOCK_SCHEMA_H

#include <stddef.h>

enum schema_type {
	S_STRING,               /* any scalar (yaml.v2 stringifies) */
	S_INT,                  /* plain integer scalar */
	S_BOOL,                 /* plain YAML 1.1 boolean */
	S_FLOAT,
	S_LIST_STRING,
	S_MAP_STRING,
	S_MAP_LIST_STRING,
	S_LIST_MAP_STRING,
	S_STRUCT,               /* mapping with known keys */
	S_LIST_STRUCT,          /* list of such mappings */
	S_MAP_STRUCT,           /* map of name -> such mapping */
	S_ANY,                  /* k8s object re-decoded as JSON by RKE: not checked */
};

#define SCHEMA_PADDOCK 1u       /* paddock's own key */

struct schema_key {
	const char *name;
	unsigned char type;     /* enum schema_type */
	short parent;           /* index, -1 for the root */
	unsigned short first;   /* index of the first child */
	unsigned short count;   /* children, sorted by name */
	unsigned char flags;
};

extern const struct schema_key schema_keys[];   /* [0] is the document root */
extern const size_t schema_nkeys;

/* Child of key index k named name, or -1. */
int schema_child(int k, const char *name);

/* Key index for a dotted path ("services.etcd.uid"; list levels are not
 * written), or -1. */
int schema_lookup(const char *path);

/* Writes the dotted path of key k into a new heap string. */
char *schema_path(int k);

#endif
