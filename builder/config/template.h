/* template: recognises unrendered template markup ({{ }}, ${ }, %{ }) so
 * that a template handed to paddock gets an error that says so. */
#ifndef PADDOCK_TEMPLATE_H
#define PADDOCK_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

struct tmpl_hit {
	int line, col;          /* 1-based */
	const char *text;       /* points into the searched buffer */
	int len;                /* up to the closing brace, capped */
};

/* Looks for template markup on line `line` of buf. */
bool template_find_at(const char *buf, size_t len, int line, struct tmpl_hit *hit);

/* Looks for template markup in a string (a scalar value); col is the offset
 * within it, line 0. */
bool template_find_in(const char *s, size_t len, struct tmpl_hit *hit);

#endif
