#!/usr/bin/env bash
# `make components` run twice at once into one cache: each download lands in
# its own temporary and is renamed in after its hash matched, so both runs
# succeed and every file in the cache matches the lock.  Only two small
# packages are fetched (apt-get download from the configured mirror); the
# rest are linked from the shared cache.
. builder/tests/build-helpers.bash
# the test fetches from the configured Debian mirror: without one it cannot run
(cd "$T" && timeout 120 apt-get download -q -o APT::Sandbox::User=root busybox-static >"$T/probe.log" 2>&1) ||
	{ echo "SKIP: the Debian mirror is not reachable: $(grep -m1 -E '^(E|W):' "$T/probe.log")"; exit 77; }
rm -f "$T"/busybox-static_*.deb
new_cache "$T/c" busybox-static
rm -f "$T/c/debs/"runc_*.deb
PADDOCK_CACHE=$T/c tools/components configs/components.lock >"$T/1.log" 2>&1 &
p1=$!
PADDOCK_CACHE=$T/c tools/components configs/components.lock >"$T/2.log" 2>&1 &
p2=$!
wait $p1 || { cat "$T/1.log"; fail "first run"; }
wait $p2 || { cat "$T/2.log"; fail "second run"; }
cat "$T/1.log" "$T/2.log"
ls -a "$T/c/debs" | grep -q '^\.fetch\.' && fail "temporaries left"
PADDOCK_CACHE=$T/c tools/components configs/components.lock 2>&1 | grep -q ' 0 fetched, all hashes match' ||
	fail "cache incomplete after the concurrent runs"
# a corrupted cache file is noticed and replaced
rm "$T/c/debs/"runc_*.deb
echo corrupt >"$(ls "$SHARED_CACHE"/debs/runc_*.deb | sed "s#$SHARED_CACHE#$T/c#")"
PADDOCK_CACHE=$T/c tools/components configs/components.lock 2>&1 | grep -q '1 fetched' || fail "corrupt file not refetched"
echo PASS
