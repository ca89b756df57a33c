#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define JSON_MAX_DEPTH 64

struct parser {
	const char *p, *end, *start;
	struct perr *err;
};

static int fail(struct parser *ps, const char *what)
{
	return perr_set(ps->err, -EINVAL, "json: %s at offset %zu", what, (size_t)(ps->p - ps->start));
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return fail(ps, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) { b[0] = (unsigned char)cp; n = 1; }
	else if (cp < 0x800) { b[0] = (unsigned char)(0xc0 | (cp >> 6)); b[1] = (unsigned char)(0x80 | (cp & 0x3f)); n = 2; }
	else if (cp < 0x10000) { b[0] = (unsigned char)(0xe0 | (cp >> 12)); b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); b[2] = (unsigned char)(0x80 | (cp & 0x3f)); n = 3; }
	else { b[0] = (unsigned char)(0xf0 | (cp >> 18)); b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f)); b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); b[3] = (unsigned char)(0x80 | (cp & 0x3f)); n = 4; }
	sb_add(sb, b, n);
}

static int parse_string(struct parser *ps, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	ps->p++; /* opening quote */
	sb_add(&sb, "", 0);
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p++;
		if (c < 0x20) {
			sb_free(&sb);
			return fail(ps, "control character in string");
		}
		if (c != '\\') {
			sb_add(&sb, &c, 1);
			continue;
		}
		if (ps->p >= ps->end)
			break;
		c = (unsigned char)*ps->p++;
		switch (c) {
		case '"': case '\\': case '/': sb_add(&sb, &c, 1); break;
		case 'b': sb_add(&sb, "\b", 1); break;
		case 'f': sb_add(&sb, "\f", 1); break;
		case 'n': sb_add(&sb, "\n", 1); break;
		case 'r': sb_add(&sb, "\r", 1); break;
		case 't': sb_add(&sb, "\t", 1); break;
		case 'u': {
			unsigned cp, lo;
			if ((r = hex4(ps, &cp)) < 0) {
				sb_free(&sb);
				return r;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
				ps->p += 2;
				if ((r = hex4(ps, &lo)) < 0) {
					sb_free(&sb);
					return r;
				}
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			if (cp == 0)
				cp = 0xfffd; /* keep strings NUL-free */
			put_utf8(&sb, cp);
			break;
		}
		default:
			sb_free(&sb);
			return fail(ps, "bad escape");
		}
	}
	if (ps->p >= ps->end) {
		sb_free(&sb);
		return fail(ps, "unterminated string");
	}
	ps->p++;
	if (sb.err) {
		r = sb.err;
		sb_free(&sb);
		return perr_set(ps->err, r, "json: out of memory");
	}
	*out = sb_steal(&sb);
	return 0;
}

static int parse_value(struct parser *ps, struct json **out, int depth);

static int parse_container(struct parser *ps, struct json *v, int depth)
{
	char close = v->type == JSON_OBJ ? '}' : ']';
	struct json **tail = &v->child;
	int r;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct json *item = NULL;

		skip_ws(ps);
		if (v->type == JSON_OBJ) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected member name");
			if ((r = parse_string(ps, &key)) < 0)
				return r;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return fail(ps, "expected ':'");
			}
			ps->p++;
		}
		if ((r = parse_value(ps, &item, depth + 1)) < 0) {
			free(key);
			return r;
		}
		item->key = key;
		*tail = item;
		tail = &item->next;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return 0;
		}
		return fail(ps, v->type == JSON_OBJ ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *ps, struct json **out, int depth)
{
	struct json *v;
	int r = 0;

	if (depth > JSON_MAX_DEPTH)
		return fail(ps, "nesting too deep");
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	v = calloc(1, sizeof(*v));
	if (!v)
		return perr_set(ps->err, -ENOMEM, "json: out of memory");
	switch (*ps->p) {
	case '{': v->type = JSON_OBJ; r = parse_container(ps, v, depth); break;
	case '[': v->type = JSON_ARR; r = parse_container(ps, v, depth); break;
	case '"': v->type = JSON_STR; r = parse_string(ps, &v->str); break;
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };
		int i = *ps->p == 't' ? 0 : *ps->p == 'f' ? 1 : 2;
		size_t n = strlen(words[i]);
		if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, words[i], n)) {
			r = fail(ps, "bad literal");
			break;
		}
		ps->p += n;
		v->type = i == 2 ? JSON_NULL : JSON_BOOL;
		v->b = i == 0;
		break;
	}
	default: {
		char *num, *endp;
		const char *q = ps->p;
		while (q < ps->end && strchr("+-0123456789.eE", *q))
			q++;
		if (q == ps->p) {
			r = fail(ps, "unexpected character");
			break;
		}
		num = strndup(ps->p, (size_t)(q - ps->p));
		if (!num) {
			r = perr_set(ps->err, -ENOMEM, "json: out of memory");
			break;
		}
		v->type = JSON_NUM;
		v->num = strtod(num, &endp);
		if (*endp)
			r = fail(ps, "bad number");
		free(num);
		ps->p = q;
	}
	}
	if (r < 0) {
		json_free(v);
		return r;
	}
	*out = v;
	return 0;
}

int json_parse(const char *buf, size_t len, struct json **out, struct perr *err)
{
	struct parser ps = { buf, buf + len, buf, err };
	struct json *v = NULL;
	int r;

	if ((r = parse_value(&ps, &v, 0)) < 0)
		return r;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		json_free(v);
		return fail(&ps, "trailing data");
	}
	*out = v;
	return 0;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (const struct json *c = obj->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

const struct json *json_path(const struct json *v, const char *dotted)
{
	const char *s = dotted;

	while (v && *s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		const struct json *found = NULL;
		if (v->type != JSON_OBJ)
			return NULL;
		for (const struct json *c = v->child; c; c = c->next)
			if (c->key && strlen(c->key) == n && !memcmp(c->key, s, n)) {
				found = c;
				break;
			}
		v = found;
		s += n;
		if (*s == '.')
			s++;
	}
	return v;
}

const char *json_str_at(const struct json *v, const char *dotted)
{
	v = json_path(v, dotted);
	return v && v->type == JSON_STR ? v->str : NULL;
}

double json_num_at(const struct json *v, const char *dotted, double def)
{
	v = json_path(v, dotted);
	return v && v->type == JSON_NUM ? v->num : def;
}

bool json_bool_at(const struct json *v, const char *dotted, bool def)
{
	v = json_path(v, dotted);
	return v && v->type == JSON_BOOL ? v->b : def;
}

void json_free(struct json *v)
{
	while (v) {
		struct json *next = v->next;
		json_free(v->child);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}
