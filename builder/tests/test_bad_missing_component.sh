#!/usr/bin/env bash
# A component absent from the cache: the error names it and `paddock components`.
. builder/tests/build-helpers.bash
new_cache "$T/c" busybox-static
old_out "$T/out"
expect_fail 'component busybox-static .* is not in the cache .*paddock components' \
	"$PADDOCK" build "$CLUSTER" -o "$T/out" --cache "$T/c"
same_old_out "$T/out"
echo PASS
