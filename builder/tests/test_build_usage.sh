#!/usr/bin/env bash
# Usage errors exit 2 and say what is wrong; --help exits 0.
. builder/tests/build-helpers.bash
"$PADDOCK" build --help | grep -q 'usage: paddock build FILE -o OUT' || fail "--help"
for args in "" "$CLUSTER" "$CLUSTER -o $T/o --kernel arm" "$CLUSTER -o $T/o --compression lz4" \
	"$CLUSTER -o $T/o --formats floppy" "$CLUSTER -o $T/o --bogus"; do
	"$PADDOCK" build $args >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] || fail "'$args': exit $rc, expected 2"
	[ -s "$T/err" ] || fail "'$args': no message"
done
[ ! -e "$T/o" ] || fail "usage error created output"
# OUT that is a file is refused without touching it
echo keep >"$T/file"
SOURCE_DATE_EPOCH=x "$PADDOCK" build "$CLUSTER" -o "$T/o" 2>&1 | grep -q SOURCE_DATE_EPOCH || fail "bad epoch accepted"
expect_fail 'exists and is not a directory' "$PADDOCK" build "$CLUSTER" -o "$T/file"
[ "$(cat "$T/file")" = keep ] || fail "file changed"
# a bad --http-base fails before anything is built (an empty cache would fail later)
mkdir -p "$T/nocache"
expect_fail '^paddock: --http-base: `http://10.0.0.1/pad dock` has a space' \
	"$PADDOCK" build "$CLUSTER" -o "$T/o" --cache "$T/nocache" --http-base 'http://10.0.0.1/pad dock'
expect_fail '^paddock: --http-base: holds credentials' \
	"$PADDOCK" build "$CLUSTER" -o "$T/o" --cache "$T/nocache" --http-base 'http://u:s3cret@10.0.0.1/p'
! grep -q s3cret "$T/stderr" || fail "credentials printed"
[ ! -e "$T/o" ] && [ -z "$(ls -A "$T/nocache")" ] || fail "bad --http-base touched OUT or the cache"
echo PASS
