#!/usr/bin/env bash
# Two builds sharing one empty cache at the same time: both unpack the
# components and build the base, each into its own temporary, and both
# succeed with identical outputs (the cache never holds half an entry).
. builder/tests/build-helpers.bash
mkdir -p "$T/c/trees" "$T/a" "$T/b"
ln -s "$SHARED_CACHE/debs" "$T/c/debs"
"$PADDOCK" build "$CLUSTER" -q -o "$T/a/out" --cache "$T/c" --kernel cloud &
p1=$!
"$PADDOCK" build "$CLUSTER" -q -o "$T/b/out" --cache "$T/c" --kernel cloud &
p2=$!
wait $p1 || fail "first build"
wait $p2 || fail "second build"
diff <(tree_sum "$T/a/out") <(tree_sum "$T/b/out") || fail "outputs differ"
[ "$(ls "$T/c/base" | wc -l)" -eq 1 ] || fail "expected one base cache entry: $(ls -a "$T/c/base")"
ls -a "$T/c/trees" "$T/c/base" | grep -q '\.tmp-' && fail "temporaries left in the cache"
echo PASS
