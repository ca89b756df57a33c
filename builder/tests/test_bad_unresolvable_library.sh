#!/usr/bin/env bash
# A binary needing a library no component provides: the error names both
# (never falls back to the build host's /lib).
. builder/tests/build-helpers.bash
new_root "$T/r"
new_cache "$T/c"
sed -i '/^deb libseccomp2 /d' "$T/r/configs/components.lock"
old_out "$T/out"
expect_fail '/usr/sbin/runc needs libseccomp\.so\.2, which no component provides' \
	"$PADDOCK" build "$CLUSTER" -o "$T/out" --cache "$T/c" --root "$T/r"
same_old_out "$T/out"
echo PASS
