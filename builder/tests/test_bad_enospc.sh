#!/usr/bin/env bash
# No space left on the output disk: a 24 MiB tmpfs holds OUT's parent.  The
# error names the file; the previous OUT is untouched and no temporary is
# left.  Mounting needs root (CI runs as root); elsewhere the test is
# skipped.
. builder/tests/build-helpers.bash
new_cache "$T/c"
mkdir -p "$T/small"
if ! mount -t tmpfs -o size=24m tmpfs "$T/small" 2>/dev/null; then
	skip "cannot mount a tmpfs here (needs root)"
fi
cleanup_dirs=("$T/small" "${cleanup_dirs[@]}")
old_out "$T/small/out"
expect_fail '(base\.img|vmlinuz|node\.img).*No space left on device' \
	"$PADDOCK" build "$CLUSTER" -o "$T/small/out" --cache "$T/c"
same_old_out "$T/small/out"
grep -q 'was left as it was' "$T/stderr" || fail "no note that OUT was kept"
echo PASS
