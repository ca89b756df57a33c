/* audit_report: the results of `paddock audit`, one per check and subject,
 * as a table for people or JSON for machines. */
#ifndef PADDOCK_AUDIT_REPORT_H
#define PADDOCK_AUDIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "audit/audit_check.h"

struct audit_result {
	const struct audit_check *check;
	char *subject;          /* node name, "base" or "OUT" */
	size_t order;           /* the subject's place: base, nodes, OUT */
	enum audit_status status;
	char *why;
};

struct audit_report {
	struct audit_result *v;
	size_t n, cap;
	bool oom;
};

void audit_report_add(struct audit_report *r, const struct audit_check *c, const char *subject, size_t order,
		      const struct audit_verdict *v);
/* Orders the results by check (table order), then subject. */
void audit_report_sort(struct audit_report *r);
/* Failed results; only those of checks `paddock build` enforces if asked. */
size_t audit_report_failures(const struct audit_report *r, bool enforced_only);
/* The table: ITEM NODE RESULT WHY, then a summary; "FAIL*" marks a failure
 * builds do not enforce yet, and the summary says what it waits for. */
int audit_report_table(const struct audit_report *r, const char *out, FILE *f);
/* {"out": ..., "failed": N, "failed_enforced": N, "results": [{"item", "node",
 * "result": "pass"|"fail"|"skip", "why", "enforced_in_build"}]}; NULL on ENOMEM. */
char *audit_report_json(const struct audit_report *r, const char *out);
/* The enforced failures as "item node: why; ..." (NULL when none or ENOMEM). */
char *audit_report_enforced_failures(const struct audit_report *r);
void audit_report_free(struct audit_report *r);

#endif
