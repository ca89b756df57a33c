#!/usr/bin/env bash
# A module in the list that the kernel neither ships nor builds in: the
# error names the list line and the kernel.
. builder/tests/build-helpers.bash
new_root "$T/r"
new_cache "$T/c"
echo "no_such_driver" >>"$T/r/configs/modules.list"
line=$(wc -l <"$T/r/configs/modules.list")
old_out "$T/out"
expect_fail "configs/modules.list:$line:1: module no_such_driver: kernel 6\.[^ ]+ \(linux-image-[^)]+\) has no such module" \
	"$PADDOCK" build "$CLUSTER" -o "$T/out" --cache "$T/c" --root "$T/r" --kernel cloud
same_old_out "$T/out"
# the hardware-only drivers are fine for the generic kernel and skipped for cloud
grep -q '^usb_storage generic' "$T/r/configs/modules.list" || fail "usb_storage not marked generic"
echo PASS
