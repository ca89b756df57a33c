/* strset: questions about sets of strings that validation asks. */
#ifndef PADDOCK_STRSET_H
#define PADDOCK_STRSET_H

#include <stdbool.h>
#include <stddef.h>

/* s is one of the NULL-terminated set. */
bool str_in_set(const char *s, const char *const *set);

/* Finds two equal non-NULL keys among keys[0..n): of all such pairs the one
 * whose later member comes first (what a nested loop over the list reports
 * first), in O(n log n) since node lists come from outside.  Returns 1 with
 * their indices, 0 when all differ, -ENOMEM. */
int find_duplicate(const char *const *keys, size_t n, size_t *first, size_t *second);

#endif
