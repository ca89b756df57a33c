#!/usr/bin/env bash
# Two builds of the same input with the same SOURCE_DATE_EPOCH, each with
# its own base cache (so the base is really built twice, at different
# times and paths), give byte-identical outputs.
. builder/tests/build-helpers.bash
new_cache "$T/c1"
new_cache "$T/c2"
mkdir -p "$T/a" "$T/b"
"$PADDOCK" build "$CLUSTER" -q -o "$T/a/out" --cache "$T/c1" || fail "first build"
sleep 1.1
(cd "$T/b" && "$PADDOCK" build "$CLUSTER" -q -o out --cache "$T/c2") || fail "second build"
diff <(tree_sum "$T/a/out") <(tree_sum "$T/b/out") || fail "outputs differ"
n=0
while read -r f; do
	cmp "$T/a/out/$f" "$T/b/out/$f" || fail "$f differs"
	n=$((n + 1))
done < <(cd "$T/a/out" && find . -type f)
(cd "$T/a/out" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the files"
grep -q '"source_date_epoch": 1700000000' "$T/a/out/manifest.json" || fail "manifest lacks the epoch"
echo "PASS: $n files identical across two builds"
