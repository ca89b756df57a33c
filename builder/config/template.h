/* template: recognises unrendered template markup, so that a template
 * handed to paddock gets an error that says so: Go/Jinja/Helm `{{ }}`,
 * Jinja statements `{% %}`, shell/Terraform `${ }`, Terraform directives
 * `%{ }` and Heat-style `%name%` parameters.  Messages show the markup
 * found, except in the value of a key that may hold a credential: there
 * they name the key only. */
#ifndef PADDOCK_TEMPLATE_H
#define PADDOCK_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/diag.h"

struct tmpl_hit {
	int line, col;          /* 1-based */
	const char *text;       /* points into the searched buffer */
	int len;                /* up to the closing brace, capped */
};

/* Finds the next markup in s[*pos..len) and moves *pos past it; col is the
 * offset within s (1-based), line 0. */
bool template_next(const char *s, size_t len, size_t *pos, struct tmpl_hit *hit);

/* The first markup in a string (a scalar value); col is the offset within
 * it, line 0. */
bool template_find_in(const char *s, size_t len, struct tmpl_hit *hit);

/* The first markup on line `line` of buf, outside a comment. */
bool template_find_at(const char *buf, size_t len, int line, struct tmpl_hit *hit);

/* Whether values under key may hold a credential (passwords, tokens, s3
 * and private keys...): messages must not show them. */
bool template_secret_key(const char *key);

/* The key line `line` of buf sets ("password" of "  - password: x") into
 * key (cap bytes), "" when none. */
void template_line_key(const char *buf, size_t len, int line, char *key, size_t cap);

/* For a message: "`{{ x }}`", or, when key (may be NULL) holds secrets,
 * which key it is without showing the value; into out (cap bytes). */
void template_show(const struct tmpl_hit *hit, const char *key, char *out, size_t cap);

/* Adds a note to diags for every markup in buf outside comments, except the
 * one at skip_line:skip_col (already reported). */
void template_note_all(const char *file, const char *buf, size_t len, int skip_line, int skip_col,
		       struct diag_list *diags);

#endif
