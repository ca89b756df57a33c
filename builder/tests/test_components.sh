#!/usr/bin/env bash
# paddock components: on an empty cache every pinned package is fetched and
# its hash checked; a second run fetches nothing; a corrupt file is fetched
# again; a failure names its package and why, and the other packages still
# arrive; with no apt-get on PATH it says what it needs.  No network: deb
# components come through a stand-in apt-get serving the shared cache, url
# components through file://.
. builder/tests/build-helpers.bash
mkdir -p "$T/bin" "$T/nobin" "$T/srv"
stand_in_apt_get "$T/bin"
PATH="$T/bin:$PATH"
new_root "$T/r"
lock=$T/r/configs/components.lock
# one component as a url, served from a file
cp "$SHARED_CACHE"/debs/busybox-static_*.deb "$T/srv/busybox.deb"
sha=$(sha256sum <"$T/srv/busybox.deb" | cut -d' ' -f1)
sed -i "s|^deb busybox-static .*|url busybox-static file://$T/srv/busybox.deb $sha|" "$lock"
n=$(grep -Ec '^(deb|url) ' "$lock")

# from another directory, the lock found through PADDOCK_ROOT
(cd / && PADDOCK_ROOT=$T/r "$PADDOCK" components --cache "$T/c") >"$T/out" 2>"$T/log" ||
	{ cat "$T/log"; fail "empty cache"; }
cat "$T/log"
grep -q "components: 0 cached, $n fetched, all hashes match ($T/c/debs)" "$T/log" || fail "not all $n fetched"
grep -q "components: fetched busybox-static$" "$T/log" || fail "url component not said"
grep -q "components: fetched runc " "$T/log" || fail "deb component not said"
[ ! -s "$T/out" ] || fail "stdout not empty"
[ "$(ls "$T/c/debs" | wc -l)" -eq "$n" ] || fail "$(ls "$T/c/debs" | wc -l) files in the cache, wanted $n"
for f in "$T/c/debs/"*_amd64.deb "$T/c/debs/"*_all.deb; do
	[ "$(stat -c %a "$f")" = 444 ] || fail "$f not 0444"
done
ls -A "$T/c/debs" | grep -q '^\.' && fail "temporaries left"

components() { "$PADDOCK" components --cache "$T/c" --lock "$lock"; }
components 2>"$T/log" || { cat "$T/log"; fail "second run"; }
grep -q "components: $n cached, 0 fetched, all hashes match" "$T/log" || fail "second run fetched"

# corrupt files (a deb and the url one) are noticed and fetched again
runc=$(ls "$T/c/debs/"runc_*.deb)
chmod 0644 "$runc" "$T/c/debs/busybox-static_$sha.deb"
echo corrupt >"$runc"
echo corrupt >"$T/c/debs/busybox-static_$sha.deb"
components 2>"$T/log" || { cat "$T/log"; fail "corrupt files"; }
cat "$T/log"
grep -q "component runc: $runc: sha256 mismatch: expected .*; fetching it again" "$T/log" || fail "corrupt deb not said"
grep -q "component busybox-static: .*sha256 mismatch.*; fetching it again" "$T/log" || fail "corrupt url file not said"
grep -q "$((n - 2)) cached, 2 fetched, all hashes match" "$T/log" || fail "corrupt files not fetched again"
sha256sum -c --quiet <<<"$(grep '^deb runc ' "$lock" | cut -d' ' -f5)  $runc" || fail "runc still corrupt"

# failures: a package the mirror lacks, one whose hash differs from the
# pin; each is named with why, the rest still arrive, exit 1
rm -f "$T/c/debs/"runc_*.deb "$T/c/debs/"containerd_*.deb "$T/c/debs/"etcd-server_*.deb
sed -i -e 's|^deb runc \([^ ]*\) |deb runc 9.9-nosuch |' \
	-e "s|^\(deb containerd [^ ]* [^ ]*\) [0-9a-f]*|\1 $(printf '%064d' 5)|" "$lock"
expect_fail "component runc 9.9-nosuch: apt-get failed \(exit 100\): E: Unable to locate package runc=9.9-nosuch" components
grep -q "component containerd: .*sha256 mismatch: expected 0000000000000000000000000000000000000000000000000000000000000005, got " "$T/stderr" ||
	fail "hash mismatch not named"
grep -q "components: fetched etcd-server " "$T/stderr" || fail "the good package was not fetched"
grep -q "^paddock: 2 of $n component(s) are not in the cache with their pinned hash" "$T/stderr" || fail "summary"
! ls "$T/c/debs/" | grep -q '^containerd_' || fail "a download with the wrong hash was kept"

# no apt-get: says what it needs; the url component needs none
rm -f "$T/c/debs/busybox-static_$sha.deb"
expect_fail "no apt-get on PATH: paddock fetches them with .apt-get download." \
	env PATH="$T/nobin" "$PADDOCK" components --cache "$T/c" --lock "$lock"
grep -q "component runc 9.9-nosuch: not in the cache" "$T/stderr" || fail "missing package not named"
grep -q "components: fetched busybox-static$" "$T/stderr" || fail "url component not fetched without apt-get"

# usage
"$PADDOCK" components extra 2>/dev/null; [ $? -eq 2 ] || fail "an argument is a usage error"
"$PADDOCK" components --help | grep -q '^usage: paddock components' || fail "--help"
echo PASS
