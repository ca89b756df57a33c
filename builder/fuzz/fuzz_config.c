/* libFuzzer target: cluster.yml bytes through the whole front end (YAML
 * tree, schema check, model, validation, plan, both outputs). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "plan/plan.h"
#include "plan/plan_output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct diag_list d = { 0 };
	struct perr err = PERR_INIT;
	struct plan *p = NULL;
	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	if (plan_load_buffer("fuzz.yml", (const char *)data, size, &p, &d, &err) == 0) {
		plan_write_json(p, null);
		plan_write_text(p, null);
		for (size_t i = 0; i < plan_node_count(p); i++) {
			struct nodecfg c = { 0 };
			struct perr e2 = PERR_INIT;
			if (plan_node_config(p, i, &c, &e2) == 0) {
				size_t len;
				free(nodecfg_serialize(&c, &len));
			}
			nodecfg_free(&c);
			perr_clear(&e2);
		}
		plan_free(p);
	} else {
		char *s = perr_format(&err);
		free(s);
	}
	diag_free(&d);
	perr_clear(&err);
	return 0;
}
