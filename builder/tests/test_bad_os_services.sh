#!/usr/bin/env bash
# Broken os-service definitions stop the build with FILE:LINE:COL: an
# unknown key (with a suggestion), a missing image, an unknown image, a
# depends_on cycle.  The previous output is left alone.
. builder/tests/build-helpers.bash
new_root "$T/r"
new_cache "$T/c"
rm "$T/r/os-services"
cp -r "$ROOT/os-services" "$T/r/os-services"
S=$T/r/os-services
old_out "$T/out"
build() { "$PADDOCK" build "$CLUSTER" -q -o "$T/out" --cache "$T/c" --root "$T/r"; }

printf 'name: extra\nimage: paddock/syslog:1\ncomand: [/bin/true]\n' >"$S/extra.yml"
expect_fail "$S/extra.yml:3:1: unknown key 'comand' \(did you mean 'command'\?\)" build
same_old_out "$T/out"

printf 'name: extra\ncommand: [/bin/true]\n' >"$S/extra.yml"
expect_fail "$S/extra.yml:1:1: service 'extra': missing key 'image'" build

printf 'name: extra\n\nimage: paddock/nope:1\n' >"$S/extra.yml"
expect_fail "$S/extra.yml:3:8: image: 'paddock/nope:1' is not a bundled image" build

printf 'name: a\nimage: paddock/syslog:1\ndepends_on: [b]\n' >"$S/a.yml"
printf 'name: b\nimage: paddock/syslog:1\ndepends_on: [a]\n' >"$S/extra.yml"
expect_fail "$S/(a|extra).yml:1:1: depends_on: service '(a|b)' depends on itself through a cycle" build
same_old_out "$T/out"
echo PASS
