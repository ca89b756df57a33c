/* json: a small JSON reader for Docker Engine API answers.
 *
 * Parses a whole document into a tree; strings are unescaped to UTF-8.
 * Numbers are kept as double.  Nesting is bounded so hostile input cannot
 * exhaust the stack. */
#ifndef PADDOCK_JSON_H
#define PADDOCK_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "perr.h"

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	char *key;              /* member name inside an object, else NULL */
	char *str;              /* JSON_STR */
	double num;             /* JSON_NUM */
	bool b;                 /* JSON_BOOL */
	struct json *child;     /* JSON_ARR / JSON_OBJ: first element */
	struct json *next;      /* next sibling */
};

/* Parses buf[0..len); trailing whitespace allowed, anything else is an error. */
int json_parse(const char *buf, size_t len, struct json **out, struct perr *err);

/* Member of an object by name, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* Follows dotted member names ("State.Status"); NULL when any step is missing. */
const struct json *json_path(const struct json *v, const char *dotted);
/* The string at path, or NULL when missing or not a string. */
const char *json_str_at(const struct json *v, const char *dotted);
/* The number at path, or def. */
double json_num_at(const struct json *v, const char *dotted, double def);
bool json_bool_at(const struct json *v, const char *dotted, bool def);

void json_free(struct json *v);

#endif
