#!/usr/bin/env bash
# A component whose file (with a matching hash) is not a Debian package.
. builder/tests/build-helpers.bash
new_root "$T/r"
new_cache "$T/c"
head -c 4096 /dev/urandom >"$T/c/debs/junk_1.0_amd64.deb"
echo "deb junk 1.0 amd64 $(sha256sum <"$T/c/debs/junk_1.0_amd64.deb" | cut -d' ' -f1)" >>"$T/r/configs/components.lock"
echo "file junk /usr/bin/junk" >>"$T/r/configs/base.list"
old_out "$T/out"
expect_fail 'component junk: .*junk_1.0_amd64.deb: not a Debian package' \
	"$PADDOCK" build "$CLUSTER" -o "$T/out" --cache "$T/c" --root "$T/r"
same_old_out "$T/out"
# a .deb with the right hash but a broken payload
printf '!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n' >"$T/c/debs/junk_1.0_amd64.deb"
sed -i '/^deb junk /d' "$T/r/configs/components.lock"
echo "deb junk 1.0 amd64 $(sha256sum <"$T/c/debs/junk_1.0_amd64.deb" | cut -d' ' -f1)" >>"$T/r/configs/components.lock"
expect_fail 'junk_1.0_amd64.deb: not a Debian package \(no data.tar member\)' \
	"$PADDOCK" build "$CLUSTER" -o "$T/out" --cache "$T/c" --root "$T/r"
same_old_out "$T/out"
echo PASS
