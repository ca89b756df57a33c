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
echo PASS
