#!/usr/bin/env bash
# A build killed (SIGKILL) at any moment leaves the previous OUT exactly as
# it was, and the base cache holds only complete entries; the next build
# cleans up after it and succeeds.
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
ls -a "$T/w" | grep -q '\.out\.tmp-' && echo "stale temporaries left, as expected after SIGKILL"
"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" || fail "build after kills"
ls -a "$T/w" | grep -q '\.out\.tmp-' && fail "stale output temporaries not removed"
ls -a "$T/c/base" | grep -q '\.base\.tmp-' && fail "stale base temporaries not removed"
(cd "$T/w/out" && sha256sum --quiet -c SHA256SUMS) || fail "new OUT inconsistent"
echo "PASS"
