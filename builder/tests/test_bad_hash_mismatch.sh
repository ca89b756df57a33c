#!/usr/bin/env bash
# A cached .deb whose SHA-256 differs from the lock: expected and actual shown.
. builder/tests/build-helpers.bash
new_root "$T/r"
new_cache "$T/c"
want=$(printf '%064d' 0)
got=$(awk '$2 == "runc" { print $5 }' "$T/r/configs/components.lock")
sed -i "/^deb runc /s/$got/$want/" "$T/r/configs/components.lock"
old_out "$T/out"
expect_fail "component runc: .*runc_.*\.deb: sha256 mismatch: expected $want, got $got" \
	"$PADDOCK" build "$CLUSTER" -o "$T/out" --cache "$T/c" --root "$T/r"
same_old_out "$T/out"
echo PASS
