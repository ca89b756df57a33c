#include "config/yemit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

int ydoc_init(yaml_document_t *d, struct perr *err)
{
	if (!yaml_document_initialize(d, NULL, NULL, NULL, 1, 1))
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int scalar(yaml_document_t *d, const char *s, size_t len, yaml_scalar_style_t style)
{
	if (len > (size_t)INT_MAX)
		return 0;
	return yaml_document_add_scalar(d, NULL, (const yaml_char_t *)s, (int)len, style);
}

int ydoc_tree(yaml_document_t *d, const struct ynode *n)
{
	int id;
	switch (n->kind) {
	case Y_SCALAR:
		return scalar(d, n->val, n->len,
			      n->plain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	case Y_SEQ:
		id = ydoc_seq(d);
		for (size_t i = 0; id && i < n->n; i++)
			if (ydoc_push(d, id, ydoc_tree(d, n->items[i])) < 0)
				id = 0;
		return id;
	case Y_MAP:
		id = ydoc_map(d);
		for (size_t i = 0; id && i < ymap_len(n); i++) {
			int k = ydoc_tree(d, ymap_key(n, i));
			if (ydoc_pair(d, id, k, k ? ydoc_tree(d, ymap_val(n, i)) : 0) < 0)
				id = 0;
		}
		return id;
	}
	return 0;
}

/* Whether s, plain, would read as something other than the string s in
 * YAML 1.1 (yaml.v2, which Kubernetes reads its files with); errs on the
 * side of quoting. */
static bool needs_quotes(const char *s)
{
	static const char *const words[] = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
					     "true", "True", "TRUE", "false", "False", "FALSE", "on", "On",
					     "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "<<", "=",
					     NULL };
	if (!*s || strchr("0123456789+-.", *s))
		return true;
	for (size_t i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

int ydoc_str(yaml_document_t *d, const char *s)
{
	return scalar(d, s, strlen(s), needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
}

int ydoc_int(yaml_document_t *d, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld", v);
	return scalar(d, buf, (size_t)n, YAML_PLAIN_SCALAR_STYLE);
}

int ydoc_bool(yaml_document_t *d, int v)
{
	return scalar(d, v ? "true" : "false", v ? 4 : 5, YAML_PLAIN_SCALAR_STYLE);
}

int ydoc_map(yaml_document_t *d)
{
	return yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
}

int ydoc_seq(yaml_document_t *d)
{
	return yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
}

int ydoc_pair(yaml_document_t *d, int map, int key, int value)
{
	return key && value && yaml_document_append_mapping_pair(d, map, key, value) ? 0 : -ENOMEM;
}

int ydoc_set(yaml_document_t *d, int map, const char *key, int value)
{
	return ydoc_pair(d, map, value ? ydoc_str(d, key) : 0, value);
}

int ydoc_set_strs(yaml_document_t *d, int map, const char *const *kv)
{
	for (; kv[0]; kv += 2)
		if (ydoc_set(d, map, kv[0], ydoc_str(d, kv[1])) < 0)
			return -ENOMEM;
	return 0;
}

int ydoc_push(yaml_document_t *d, int seq, int item)
{
	return item && yaml_document_append_sequence_item(d, seq, item) ? 0 : -ENOMEM;
}

static int write_out(void *data, unsigned char *buf, size_t size)
{
	struct strbuf *sb = data;
	sb_add(sb, buf, size);
	return sb->err == 0;
}

int ydoc_dump(yaml_document_t *d, char **out, size_t *len, struct perr *err)
{
	yaml_emitter_t e;
	struct strbuf sb = STRBUF_INIT;
	if (!yaml_emitter_initialize(&e)) {
		yaml_document_delete(d);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	yaml_emitter_set_output(&e, write_out, &sb);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1); /* no folding of long values */
	int ok = yaml_emitter_open(&e);
	if (!ok)
		yaml_document_delete(d);
	/* yaml_emitter_dump deletes the document, also when it fails */
	ok = ok && yaml_emitter_dump(&e, d) && yaml_emitter_close(&e) && yaml_emitter_flush(&e);
	int r = 0;
	if (!ok || sb.err || !sb.s)
		r = perr_set(err, sb.err ? sb.err : -ENOMEM, "writing YAML: %s",
			     e.problem ? e.problem : sb.s ? "out of memory" : "empty document");
	yaml_emitter_delete(&e);
	if (r < 0) {
		sb_free(&sb);
		return r;
	}
	*len = sb.len;
	*out = sb_steal(&sb);
	return 0;
}
