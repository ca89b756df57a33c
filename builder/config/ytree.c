/* ytree: a YAML document as a tree with source positions (ytree.h). */
#include "config/ytree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config/shell_prompt.h"
#include "config/template.h"

void ynode_unref(struct ynode *n)
{
	if (!n || --n->refs > 0)
		return;
	size_t cnt = n->kind == Y_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < cnt; i++)
		ynode_unref(n->items[i]);
	free(n->items);
	free(n->val);
	free(n);
}

bool ynode_is_null(const struct ynode *n)
{
	if (!n)
		return true;
	if (n->kind != Y_SCALAR || !n->plain)
		return false;
	return !strcmp(n->val, "") || !strcmp(n->val, "~") || !strcmp(n->val, "null") ||
	       !strcmp(n->val, "Null") || !strcmp(n->val, "NULL");
}

const struct ynode *ymap_get(const struct ynode *m, const char *key)
{
	if (!m || m->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct ynode *k = ymap_key(m, i);
		if (k->kind == Y_SCALAR && !strcmp(k->val, key))
			return ymap_val(m, i);
	}
	return NULL;
}

/* --- building ------------------------------------------------------------ */

struct anchor {
	char *name;
	struct ynode *node;
};

struct frame {
	struct ynode *node;
	char *anchor;
	bool parked;    /* mapping: a key waits in items[2n] for its value */
};

struct builder {
	const char *name;
	const char *buf;
	size_t len;
	struct frame *stack;
	size_t depth, cap;
	struct anchor *anchors;
	size_t nanchors, acap;
	size_t aliases;
	size_t weight;          /* running total, aliases expanded */
	struct ynode *root;
	struct diag_list *diags;
	struct perr *err;
	bool template;          /* the error is unrendered template markup */
};

static struct ynode *node_new(enum ynode_kind k, const yaml_mark_t *m)
{
	struct ynode *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = k;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	n->refs = 1;
	n->weight = 1;
	return n;
}

static int oom(struct builder *b)
{
	return perr_setat(b->err, -ENOMEM, b->name, 0, 0, "out of memory");
}

/* Stores child in the next slot; for a mapping also reserves the value slot
 * (the caller fills it and bumps n). */
static int push_item(struct ynode *parent, struct ynode *child)
{
	size_t have = parent->kind == Y_MAP ? 2 * parent->n : parent->n;
	size_t need = parent->kind == Y_MAP ? have + 2 : have + 1;
	if (need > parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		while (cap < need)
			cap *= 2;
		struct ynode **p = realloc(parent->items, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		parent->items = p;
		parent->cap = cap;
	}
	parent->items[have] = child;
	if (parent->kind == Y_SEQ)
		parent->n++;
	return 0;
}

/* Anchors are appended; an alias looks from the newest, so a redefined
 * anchor names its latest node, as YAML wants. */
static int register_anchor(struct builder *b, const char *name, struct ynode *n)
{
	if (!name)
		return 0;
	if (b->nanchors >= YTREE_MAX_ANCHORS)
		return perr_setat(b->err, -E2BIG, b->name, n->line, n->col,
				  "more than %d anchors", YTREE_MAX_ANCHORS);
	if (b->nanchors == b->acap) {
		size_t nc = b->acap ? b->acap * 2 : 8;
		struct anchor *p = realloc(b->anchors, nc * sizeof(*p));
		if (!p)
			return oom(b);
		b->anchors = p;
		b->acap = nc;
	}
	char *dup = strdup(name);
	if (!dup)
		return oom(b);
	n->refs++;
	b->anchors[b->nanchors++] = (struct anchor){ dup, n };
	return 0;
}

static int add_weight(struct builder *b, size_t w, int line, int col)
{
	b->weight += w;
	if (w > YTREE_MAX_WEIGHT || b->weight > YTREE_MAX_WEIGHT)
		return perr_setat(b->err, -E2BIG, b->name, line, col, b->aliases ?
				  "document too large once aliases are expanded (more than %d nodes); "
				  "refusing a possible alias bomb" :
				  "document too large (more than %d YAML nodes)", YTREE_MAX_WEIGHT);
	return 0;
}

/* The error for the markup at hit, with a note for every other one in the
 * file: a template is rarely unrendered in one place only. */
static int template_error(struct builder *b, const struct tmpl_hit *hit, const char *why)
{
	char key[64], show[160];
	template_line_key(b->buf, b->len, hit->line, key, sizeof(key));
	template_show(hit, key, show, sizeof(show));
	template_note_all(b->name, b->buf, b->len, hit->line, hit->col, b->diags);
	b->template = true;
	return perr_setat(b->err, -EINVAL, b->name, hit->line, hit->col, "unrendered template %s: "
			  "this file must be rendered by its template tool first (%s)", show, why);
}

static int key_ok(struct builder *b, const struct ynode *k)
{
	if (k->kind == Y_SCALAR)
		return 0;
	struct tmpl_hit hit;
	if (template_find_at(b->buf, b->len, k->line, &hit))
		return template_error(b, &hit, "YAML reads it as a mapping used as a key");
	return perr_setat(b->err, -EINVAL, b->name, k->line, k->col,
			  "invalid map key: a %s cannot be a key",
			  k->kind == Y_MAP ? "mapping" : "sequence");
}

/* Adds a finished child to the open collection on top of the stack (or makes
 * it the root). */
static int attach(struct builder *b, struct ynode *child)
{
	if (b->depth == 0) {
		if (!b->root)
			b->root = child;
		else
			ynode_unref(child);
		return 0;
	}
	struct frame *f = &b->stack[b->depth - 1];
	struct ynode *p = f->node;
	if (p->kind == Y_SEQ) {
		if (push_item(p, child) < 0) {
			ynode_unref(child);
			return oom(b);
		}
	} else {
		if (!f->parked) {
			int r = key_ok(b, child);
			if (r < 0) {
				ynode_unref(child);
				return r;
			}
			if (push_item(p, child) < 0) {
				ynode_unref(child);
				return oom(b);
			}
			f->parked = true;
		} else {
			p->items[2 * p->n + 1] = child;
			p->n++;
			f->parked = false;
		}
	}
	p->weight += child->weight;
	if (p->weight > YTREE_MAX_WEIGHT)
		p->weight = YTREE_MAX_WEIGHT + 1;
	return 0;
}

static int cmp_idx(const void *a, const void *b, void *ctx)
{
	const struct ynode *m = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(ymap_key(m, i)->val, ymap_key(m, j)->val);
	if (c)
		return c;
	return i < j ? -1 : i > j;
}

static bool is_merge_key(const struct ynode *k)
{
	return k->kind == Y_SCALAR && k->plain && !strcmp(k->val, "<<");
}

/* Rebuilds m's entries with merge keys (`<<: *a`, `<<: [*a, *b]`) expanded:
 * merged entries first, the last source first, then the explicit ones, so
 * that "last wins" below gives yaml.v2's precedence (explicit keys over
 * merged ones, earlier sources over later ones).  Returns how many entries
 * came from merges, or a negative code. */
static long expand_merges(struct builder *b, struct ynode *m)
{
	size_t nmerged = 0, nexplicit = 0;
	bool any = false;
	for (size_t i = 0; i < m->n; i++) {
		const struct ynode *k = ymap_key(m, i), *v = ymap_val(m, i);
		if (!is_merge_key(k)) {
			nexplicit++;
			continue;
		}
		any = true;
		const struct ynode *const *srcs = (const struct ynode *const *)&m->items[2 * i + 1];
		size_t ns = 1;
		if (v->kind == Y_SEQ)
			srcs = (const struct ynode *const *)v->items, ns = v->n;
		for (size_t s = 0; s < ns; s++) {
			if (srcs[s]->kind != Y_MAP)
				return perr_setat(b->err, -EINVAL, b->name, srcs[s]->line, srcs[s]->col,
						  "merge key `<<` needs a mapping or a list of mappings");
			nmerged += srcs[s]->n;
		}
	}
	if (!any)
		return 0;
	size_t total = nmerged + nexplicit;
	struct ynode **items = malloc((2 * total + 2) * sizeof(*items));
	if (!items)
		return oom(b);
	size_t w = 0;
	for (size_t i = m->n; i-- > 0;) {
		const struct ynode *k = ymap_key(m, i), *v = ymap_val(m, i);
		if (!is_merge_key(k))
			continue;
		struct ynode *const *srcs = &m->items[2 * i + 1];
		size_t ns = 1;
		if (v->kind == Y_SEQ)
			srcs = v->items, ns = v->n;
		for (size_t s = ns; s-- > 0;)
			for (size_t j = 0; j < srcs[s]->n; j++) {
				items[2 * w] = srcs[s]->items[2 * j];
				items[2 * w + 1] = srcs[s]->items[2 * j + 1];
				items[2 * w]->refs++;
				items[2 * w + 1]->refs++;
				w++;
			}
	}
	for (size_t i = 0; i < m->n; i++) {
		if (is_merge_key(ymap_key(m, i))) {
			ynode_unref(m->items[2 * i]);
			ynode_unref(m->items[2 * i + 1]);
			continue;
		}
		items[2 * w] = m->items[2 * i];
		items[2 * w + 1] = m->items[2 * i + 1];
		w++;
	}
	free(m->items);
	m->items = items;
	m->n = w;
	m->cap = 2 * total + 2;
	return (long)nmerged;
}

/* Applies merge keys and "last wins" for duplicates; warns on duplicate
 * keys written in the mapping itself. */
static int finish_map(struct builder *b, struct ynode *m)
{
	long nmerged = expand_merges(b, m);
	if (nmerged < 0)
		return (int)nmerged;
	if (m->n < 2)
		return 0;
	size_t *idx = malloc(m->n * sizeof(*idx));
	bool *drop = calloc(m->n, sizeof(*drop));
	if (!idx || !drop) {
		free(idx);
		free(drop);
		return oom(b);
	}
	for (size_t i = 0; i < m->n; i++)
		idx[i] = i;
	qsort_r(idx, m->n, sizeof(*idx), cmp_idx, m);
	size_t ndrop = 0;
	for (size_t i = 0; i + 1 < m->n; i++) {
		const struct ynode *k1 = ymap_key(m, idx[i]), *k2 = ymap_key(m, idx[i + 1]);
		if (strcmp(k1->val, k2->val))
			continue;
		drop[idx[i]] = true;
		ndrop++;
		if (idx[i] >= (size_t)nmerged)
			diag_add(b->diags, b->name, k2->line, k2->col,
				 "%s: duplicate key (first at line %d); the last one wins, as in RKE",
				 k2->val, k1->line);
	}
	if (ndrop) {
		size_t w = 0;
		for (size_t i = 0; i < m->n; i++) {
			if (drop[i]) {
				ynode_unref(m->items[2 * i]);
				ynode_unref(m->items[2 * i + 1]);
				continue;
			}
			m->items[2 * w] = m->items[2 * i];
			m->items[2 * w + 1] = m->items[2 * i + 1];
			w++;
		}
		m->n = w;
	}
	free(idx);
	free(drop);
	return 0;
}

static int push_frame(struct builder *b, struct ynode *n, const char *anchor, const yaml_mark_t *m)
{
	if (b->depth >= YTREE_MAX_DEPTH) {
		ynode_unref(n);
		return perr_setat(b->err, -E2BIG, b->name, (int)m->line + 1, (int)m->column + 1,
				  "nesting deeper than %d levels", YTREE_MAX_DEPTH);
	}
	if (b->depth == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 16;
		struct frame *p = realloc(b->stack, nc * sizeof(*p));
		if (!p) {
			ynode_unref(n);
			return oom(b);
		}
		b->stack = p;
		b->cap = nc;
	}
	char *a = NULL;
	if (anchor && !(a = strdup(anchor))) {
		ynode_unref(n);
		return oom(b);
	}
	b->stack[b->depth++] = (struct frame){ n, a, false };
	return 0;
}

static int pop_frame(struct builder *b)
{
	struct frame f = b->stack[--b->depth];
	int r = 0;
	if (f.node->kind == Y_MAP)
		r = finish_map(b, f.node);
	if (r == 0)
		r = register_anchor(b, f.anchor, f.node);
	free(f.anchor);
	if (r < 0) {
		ynode_unref(f.node);
		return r;
	}
	return attach(b, f.node);
}

static bool is_str_tag(const yaml_char_t *tag)
{
	return tag && (!strcmp((const char *)tag, YAML_STR_TAG) || !strcmp((const char *)tag, "!"));
}

static int on_event(struct builder *b, yaml_event_t *ev)
{
	struct ynode *n;
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		n = node_new(Y_SCALAR, &ev->start_mark);
		if (!n)
			return oom(b);
		n->val = malloc(ev->data.scalar.length + 1);
		if (!n->val) {
			free(n);
			return oom(b);
		}
		memcpy(n->val, ev->data.scalar.value, ev->data.scalar.length);
		n->val[ev->data.scalar.length] = '\0';
		n->len = ev->data.scalar.length;
		n->str_tag = is_str_tag(ev->data.scalar.tag);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
		int r = add_weight(b, 1, n->line, n->col);
		if (r == 0)
			r = register_anchor(b, (const char *)ev->data.scalar.anchor, n);
		if (r < 0) {
			ynode_unref(n);
			return r;
		}
		return attach(b, n);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		n = node_new(seq ? Y_SEQ : Y_MAP, &ev->start_mark);
		if (!n)
			return oom(b);
		int r = add_weight(b, 1, n->line, n->col);
		if (r < 0) {
			ynode_unref(n);
			return r;
		}
		return push_frame(b, n, (const char *)(seq ? ev->data.sequence_start.anchor
							  : ev->data.mapping_start.anchor),
				  &ev->start_mark);
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return pop_frame(b);
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
		for (size_t i = b->nanchors; i-- > 0;) {
			if (strcmp(b->anchors[i].name, name))
				continue;
			n = b->anchors[i].node;
			if (++b->aliases > YTREE_MAX_ALIASES)
				return perr_setat(b->err, -E2BIG, b->name, line, col,
						  "more than %d aliases; refusing a possible alias bomb",
						  YTREE_MAX_ALIASES);
			int r = add_weight(b, n->weight, line, col);
			if (r < 0)
				return r;
			n->refs++;
			return attach(b, n);
		}
		return perr_setat(b->err, -EINVAL, b->name, line, col, "unknown anchor '%s' referenced", name);
	}
	default:
		return 0;
	}
}

static int syntax_error(struct builder *b, yaml_parser_t *p)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
	int line = (int)m->line + 1, col = (int)m->column + 1;
	const char *problem = p->problem ? p->problem : "syntax error";
	struct tmpl_hit hit;
	if (template_find_at(b->buf, b->len, line, &hit) ||
	    (line > 1 && template_find_at(b->buf, b->len, line - 1, &hit))) {
		char why[160];
		snprintf(why, sizeof(why), "YAML: %s", problem);
		return template_error(b, &hit, why);
	}
	if (p->context)
		return perr_setat(b->err, -EINVAL, b->name, line, col, "yaml: %s %s", problem, p->context);
	return perr_setat(b->err, -EINVAL, b->name, line, col, "yaml: %s", problem);
}

/* The documents after the first, which yaml.v2's Unmarshal (and so RKE)
 * never reads: only whether any has content, and where. */
struct later_docs {
	size_t n;               /* documents with content */
	int line;               /* where the first of them starts */
	int start;              /* where the one being skimmed starts */
	bool content;
};

static void skim(struct later_docs *d, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		d->start = (int)ev->start_mark.line + 1;
		d->content = false;
		break;
	case YAML_DOCUMENT_END_EVENT:
		if (d->content && !d->n++)
			d->line = d->start;
		break;
	case YAML_SCALAR_EVENT:
		d->content |= ev->data.scalar.length > 0 || ev->data.scalar.tag ||
			      ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		break;
	default:
		d->content = true;
	}
}

/* RKE reads the first document only: say so when there are others. */
static int report_later(struct builder *b, const struct later_docs *d)
{
	char more[48] = "";
	if (!d->n)
		return 0;
	if (d->n > 1)
		snprintf(more, sizeof(more), " (and %zu more after it)", d->n - 1);
	if (!b->root || ynode_is_null(b->root))
		return perr_setat(b->err, -EINVAL, b->name, 1, 1, "the first YAML document is empty, "
				  "and RKE reads only the first: the document at line %d%s is ignored",
				  d->line, more);
	diag_add(b->diags, b->name, d->line, 1, "a second YAML document starts here: RKE reads only "
		 "the first, so this one%s is ignored", more);
	return 0;
}

/* A file YAML cannot read as one mapping, with a shell prompt in it: the
 * prompt is the error, not what YAML made of it. */
static bool pasted_prompt(struct builder *b)
{
	char text[96];
	int line;
	if (!shell_prompt_find(b->buf, b->len, &line, text, sizeof(text)))
		return false;
	perr_clear(b->err);
	perr_setat(b->err, -EINVAL, b->name, line, 1, "`%s` is a shell prompt and command, pasted "
		   "with the file: keep only the cluster's YAML", text);
	return true;
}

int ytree_parse(const char *name, const char *buf, size_t len, struct ynode **out,
		struct diag_list *diags, struct perr *err)
{
	yaml_parser_t p;
	struct builder b = { .name = name, .buf = buf, .len = len, .diags = diags, .err = err };
	struct later_docs later = { 0 };
	int r = 0;
	bool done = false, first_done = false;

	*out = NULL;
	if (len > YTREE_MAX_BYTES)
		return perr_setat(err, -EFBIG, name, 0, 0, "file is too large (the limit is %u MiB)",
				  YTREE_MAX_BYTES >> 20);
	if (memchr(buf, '\0', len)) {
		const char *z = memchr(buf, '\0', len);
		int line = 1;
		for (const char *c = buf; c < z; c++)
			line += *c == '\n';
		return perr_setat(err, -EINVAL, name, line, 1,
				  "binary data (a NUL byte at offset %zu): not a YAML file",
				  (size_t)(z - buf));
	}
	if (!yaml_parser_initialize(&p))
		return perr_setat(err, -ENOMEM, name, 0, 0, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			if (!first_done) {
				r = syntax_error(&b, &p);
			} else if (!later.n++) {
				/* a broken later document: RKE never sees it either */
				later.line = later.start ? later.start : (int)p.problem_mark.line + 1;
			}
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT)
			done = true;
		else if (first_done)
			skim(&later, &ev);
		else if (ev.type == YAML_DOCUMENT_END_EVENT)
			first_done = true;
		else
			r = on_event(&b, &ev);
		yaml_event_delete(&ev);
		if (r < 0)
			break;
	}
	yaml_parser_delete(&p);
	if (((r == -EINVAL && !b.template) || later.n || (r == 0 && b.root && b.root->kind != Y_MAP)) &&
	    pasted_prompt(&b))
		r = -EINVAL;
	else if (r == 0)
		r = report_later(&b, &later);
	while (b.depth > 0) {
		struct frame *f = &b.stack[--b.depth];
		if (f->parked)
			ynode_unref(f->node->items[2 * f->node->n]);
		ynode_unref(f->node);
		free(f->anchor);
	}
	free(b.stack);
	for (size_t i = 0; i < b.nanchors; i++) {
		free(b.anchors[i].name);
		ynode_unref(b.anchors[i].node);
	}
	free(b.anchors);
	if (r < 0) {
		ynode_unref(b.root);
		return r;
	}
	*out = b.root;
	return 0;
}
