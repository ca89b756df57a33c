/* audit_report: results as a table or as JSON. */
#include "audit/audit_report.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void audit_report_add(struct audit_report *r, const struct audit_check *c, const char *subject, size_t order,
		      const struct audit_verdict *v)
{
	if (r->oom)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct audit_result *nv = realloc(r->v, cap * sizeof(*nv));
		if (!nv) {
			r->oom = true;
			return;
		}
		r->v = nv;
		r->cap = cap;
	}
	struct audit_result *x = &r->v[r->n];
	*x = (struct audit_result){ c, strdup(subject), order, v->status, verdict_why(v) };
	if (!x->subject || !x->why || v->problems.err) {
		free(x->subject);
		free(x->why);
		r->oom = true;
		return;
	}
	r->n++;
}

static int by_check_subject(const void *a, const void *b)
{
	const struct audit_result *x = a, *y = b;
	if (x->check != y->check)
		return x->check < y->check ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void audit_report_sort(struct audit_report *r)
{
	qsort(r->v, r->n, sizeof(*r->v), by_check_subject);
}

size_t audit_report_failures(const struct audit_report *r, bool enforced_only)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].status == AUDIT_FAIL && (!enforced_only || r->v[i].check->enforced);
	return n;
}

static const char *status_word(const struct audit_result *x)
{
	switch (x->status) {
	case AUDIT_PASS: return "pass";
	case AUDIT_SKIP: return "skip";
	case AUDIT_FAIL: return x->check->enforced ? "FAIL" : "FAIL*";
	}
	return "?";
}

/* Text from the image, one line: control characters escaped. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

int audit_report_table(const struct audit_report *r, const char *out, FILE *f)
{
	int iw = 4, nw = 4;
	size_t counts[3] = { 0 };
	for (size_t i = 0; i < r->n; i++) {
		int il = (int)strlen(r->v[i].check->item), nl = (int)strlen(r->v[i].subject);
		iw = il > iw ? il : iw;
		nw = nl > nw ? nl : nw;
		counts[r->v[i].status]++;
	}
	fprintf(f, "%-*s  %-*s  %-6s  %s\n", iw, "ITEM", nw, "NODE", "RESULT", "WHY");
	for (size_t i = 0; i < r->n; i++) {
		fprintf(f, "%-*s  %-*s  %-6s  ", iw, r->v[i].check->item, nw, r->v[i].subject,
			status_word(&r->v[i]));
		put_text(f, r->v[i].why);
		fputc('\n', f);
	}
	fprintf(f, "\n%s: %zu passed, %zu failed, %zu skipped\n", out, counts[AUDIT_PASS], counts[AUDIT_FAIL],
		counts[AUDIT_SKIP]);
	const struct audit_check *said = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct audit_check *c = r->v[i].check;
		if (r->v[i].status != AUDIT_FAIL || c->enforced || c == said)
			continue;
		if (!said)
			fprintf(f, "FAIL*: not enforced by `paddock build` yet, until what it checks is built:\n");
		fprintf(f, "  %-*s  %s\n", iw, c->item, c->waits_for ? c->waits_for : "");
		said = c;
	}
	return ferror(f) ? -1 : 0;
}

char *audit_report_json(const struct audit_report *r, const char *out)
{
	static const char *const words[] = { "pass", "fail", "skip" };
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "{\n  \"out\": ");
	sb_json_str(&sb, out);
	sb_printf(&sb, ",\n  \"failed\": %zu,\n  \"failed_enforced\": %zu,\n  \"results\": [",
		  audit_report_failures(r, false), audit_report_failures(r, true));
	for (size_t i = 0; i < r->n; i++) {
		const struct audit_result *x = &r->v[i];
		sb_adds(&sb, i ? ",\n    {\"item\": " : "\n    {\"item\": ");
		sb_json_str(&sb, x->check->item);
		sb_adds(&sb, ", \"node\": ");
		sb_json_str(&sb, x->subject);
		sb_printf(&sb, ", \"result\": \"%s\", \"why\": ", words[x->status]);
		sb_json_str(&sb, x->why);
		sb_printf(&sb, ", \"enforced_in_build\": %s", x->check->enforced ? "true" : "false");
		if (!x->check->enforced) {
			sb_adds(&sb, ", \"waits_for\": ");
			sb_json_str(&sb, x->check->waits_for);
		}
		sb_adds(&sb, "}");
	}
	sb_adds(&sb, r->n ? "\n  ]\n}\n" : "]\n}\n");
	return sb_steal(&sb);
}

char *audit_report_enforced_failures(const struct audit_report *r)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < r->n; i++) {
		const struct audit_result *x = &r->v[i];
		if (x->status == AUDIT_FAIL && x->check->enforced)
			sb_printf(&sb, "%s%s %s: %s", sb.len ? "; " : "", x->check->item, x->subject, x->why);
	}
	return sb_steal(&sb);
}

void audit_report_free(struct audit_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].subject);
		free(r->v[i].why);
	}
	free(r->v);
	*r = (struct audit_report){ 0 };
}
