#!/usr/bin/env bash
# `paddock build` audits the output it made before it replaces OUT: a base
# that carries a private key and a world-writable file fails the build,
# naming the checks, and the previous OUT is left as it was.  A clean
# build says how the audit went.
. builder/tests/build-helpers.bash
new_root "$T/r"
new_cache "$T/c"
old_out "$T/out"

"$PADDOCK" build "$CLUSTER" -o "$T/good" --cache "$T/c" --root "$T/r" --formats kernel 2>"$T/stderr" ||
	fail "clean build: $(cat "$T/stderr")"
grep -Eq '^build: audit: [0-9]+ results pass, [0-9]+ check\(s\) not enforced yet' "$T/stderr" ||
	fail "no audit line: $(cat "$T/stderr")"

mkdir -p "$T/r/leak"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/r/leak/key.pem" 2>/dev/null
echo drop >"$T/r/leak/drop"
{
	echo "product leak/key.pem /etc/leaked-key.pem 0600"
	echo "product leak/drop /etc/drop 0666"
} >>"$T/r/configs/base.list"
build() { "$PADDOCK" build "$CLUSTER" -q -o "$T/out" --cache "$T/c" --root "$T/r" --formats kernel; }
expect_fail "audit: 2 failed: keys-confined base: /etc/leaked-key.pem \(EC PRIVATE KEY|PRIVATE KEY\) is in a layer every node boots" build
grep -q "world-writable [a-z0-9-]*: /etc/drop is 0666" "$T/stderr" || fail "world-writable not named"
grep -q "failed; $T/out was left as it was" "$T/stderr" || fail "no word on OUT"
same_old_out "$T/out"
echo PASS
