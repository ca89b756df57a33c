#!/usr/bin/env bash
# A build killed (SIGKILL) at any moment leaves the previous OUT exactly as
# it was, and the base cache holds only complete entries; the next build
# succeeds, and a later one cleans up the temporaries once they are old.
. builder/tests/build-helpers.bash
new_cache "$T/c"
mkdir -p "$T/w"
"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" || fail "first build"
tree_sum "$T/w/out" >"$T/before"
ino=$(stat -c %i "$T/w/out")
for delay in 0.2 0.6 1.0 1.5 2.5; do
	rm -rf "$T/c/base"  # force a full base build each time
	"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" --compression gzip &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	diff "$T/before" <(tree_sum "$T/w/out") >/dev/null || fail "OUT changed after kill at ${delay}s"
	[ "$(stat -c %i "$T/w/out")" = "$ino" ] || fail "OUT replaced after kill at ${delay}s"
	for d in "$T/c/base"/*/; do
		[ -d "$d" ] || continue
		[ -f "$d/info" ] && [ -f "$d/base.img" ] || fail "incomplete base cache entry $d"
	done
	echo "killed at ${delay}s: OUT intact"
done
# with the base cached, a big cluster spends its time on node layers and the
# swap (kernel format only: 400 ISOs would take ~30 GB of scratch space)
{
	echo "cluster_name: big"
	echo "kubernetes_version: v1.30.5-rancher1-1"
	echo "nodes:"
	for i in $(seq 1 400); do
		echo "  - address: 10.1.$((i / 256)).$((i % 256))"
		echo "    hostname_override: n$i"
		echo "    user: rancher"
		if [ "$i" -le 3 ]; then echo "    role: [controlplane, etcd, worker]"; else echo "    role: [worker]"; fi
	done
} >"$T/big.yml"
"$PADDOCK" build "$T/big.yml" -q --formats kernel -o "$T/w/warm" --cache "$T/c" || fail "big cluster build"
# killed at any moment, OUT is either the previous output or the whole new one
for delay in 0.02 0.05 0.1 0.2 0.3; do
	"$PADDOCK" build "$T/big.yml" -q --formats kernel -o "$T/w/out" --cache "$T/c" &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if diff "$T/before" <(tree_sum "$T/w/out") >/dev/null; then
		echo "big build killed at ${delay}s: previous OUT intact"
		continue
	fi
	(cd "$T/w/out" && sha256sum --quiet -c SHA256SUMS) || fail "OUT neither old nor whole after ${delay}s"
	grep -q '"cluster": "big"' "$T/w/out/manifest.json" || fail "OUT neither old nor new after ${delay}s"
	[ "$(ls -d "$T/w/out"/n* | wc -l)" -eq 400 ] || fail "new OUT lacks nodes after ${delay}s"
	echo "big build done (or swapped in) before ${delay}s: new OUT whole"
	"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" || fail "rebuild"
	tree_sum "$T/w/out" >"$T/before"
done
ls -a "$T/w" | grep -q '\.out\.tmp-' && echo "stale temporaries left, as expected after SIGKILL"
# they are swept once nobody holds their lock and they are old enough (a
# fresh one may belong to a build on another host sharing the cache)
"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" || fail "build after kills"
for d in "$T"/w/.out.tmp-* "$T"/c/base/.base.tmp-*; do
	[ -d "$d" ] && touch -d '2 hours ago' "$d"
done
"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" || fail "build after kills"
ls -a "$T/w" | grep -q '\.out\.tmp-' && fail "stale output temporaries not removed"
ls -a "$T/c/base" | grep -q '\.base\.tmp-' && fail "stale base temporaries not removed"
(cd "$T/w/out" && sha256sum --quiet -c SHA256SUMS) || fail "new OUT inconsistent"
echo "PASS"
