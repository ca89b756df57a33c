/* libFuzzer target: bytes as a POST /report body through the parser and
 * the whole check (report_accept), with and without a signature. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct report_book book;
	struct report_node node = { .name = "node1", .has_key = true };
	struct report r;
	struct perr err = PERR_INIT;
	char sig[72];
	size_t i;
	if (report_sign_header((const char *)data, size, node.key, sig) < 0)
		abort();
	for (int k = 0; k < 2; k++) {
		int st = report_accept(&book, &node, 1, (const char *)data, size, k ? sig : NULL, &r, &i, &err);
		if (st == 204)
			report_clear(&r);
		else if (st != 400 && st != 401 && st != 409)
			abort();
		perr_clear(&err);
	}
	if (book.n > 1000)
		report_book_free(&book);
	return 0;
}
