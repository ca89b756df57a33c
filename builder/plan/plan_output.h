/* plan_output: `paddock plan` as text for people and as a stable JSON
 * document for programs (the same content; secrets never appear). */
#ifndef PADDOCK_PLAN_OUTPUT_H
#define PADDOCK_PLAN_OUTPUT_H

#include <stdio.h>

#include "plan/plan.h"

/* Version of the JSON document's layout; bumped on incompatible change. */
#define PLAN_JSON_VERSION 1

int plan_write_json(const struct plan *p, FILE *f);
int plan_write_text(const struct plan *p, FILE *f);

#endif
