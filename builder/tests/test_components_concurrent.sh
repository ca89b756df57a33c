#!/usr/bin/env bash
# `paddock components` run twice at once into one cache: each download lands
# in its own temporary and is renamed in after its hash matched, so both runs
# succeed and every file in the cache matches the lock.  Two packages are
# fetched, through a stand-in apt-get; the rest are linked from the shared
# cache.
. builder/tests/build-helpers.bash
# What is tested is the verb (temporaries, hash checks, renames), not the
# mirror: apt-get is a stand-in that "downloads" NAME=VERSION from the
# shared cache, slowly, so the two runs overlap.
stand_in_apt_get "$T/bin" 0.5
export PATH="$T/bin:$PATH"
new_cache "$T/c" busybox-static
rm -f "$T/c/debs/"runc_*.deb
components() { "$PADDOCK" components --cache "$T/c" --lock configs/components.lock; }
components >"$T/1.log" 2>&1 &
p1=$!
components >"$T/2.log" 2>&1 &
p2=$!
wait $p1 || { cat "$T/1.log"; fail "first run"; }
wait $p2 || { cat "$T/2.log"; fail "second run"; }
cat "$T/1.log" "$T/2.log"
ls -a "$T/c/debs" | grep -q '^\.fetch\.' && fail "temporaries left"
components 2>&1 | grep -q ' 0 fetched, all hashes match' || fail "cache incomplete after the concurrent runs"
# a corrupted cache file is noticed and replaced
rm "$T/c/debs/"runc_*.deb
echo corrupt >"$(ls "$SHARED_CACHE"/debs/runc_*.deb | sed "s#$SHARED_CACHE#$T/c#")"
components 2>&1 | grep -q '1 fetched' || fail "corrupt file not refetched"
echo PASS
