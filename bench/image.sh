#!/usr/bin/env bash
# Image pipeline figures (printed, never pass/fail):
#  - base build time (components already unpacked) against `zstd -T2 -3` of
#    the same uncompressed archive, in the same run, and their ratio;
#  - base size compressed and uncompressed;
#  - total `paddock build` time for 3, 100 and 1000 nodes with the base cached;
#  - node layer size.
# Needs `make components`; uses a private base cache, shares the unpacked
# components.  Goals: 100 nodes <= 2 s, node layer <= 64 KiB, ratio <= 1.3.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PADDOCK:=$PWD/build/paddock}"
SHARED=${PADDOCK_CACHE:-$HOME/.cache/paddock}
T=$(mktemp -d "${TMPDIR:-/tmp}/paddock-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
KERNEL=${KERNEL:-generic}

mkcache() { mkdir -p "$1"; ln -s "$SHARED/debs" "$1/debs"; mkdir -p "$SHARED/trees"; ln -s "$SHARED/trees" "$1/trees"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

. bench/clusters.bash
for n in 3 100 1000; do bench_cluster "$n" >"$T/c$n.yml"; done

# warm: components unpacked, caches filled, so the runs below measure the base alone
mkcache "$T/warm"
"$PADDOCK" build "$T/c3.yml" -q -o "$T/warm-out" --kernel "$KERNEL" --cache "$T/warm"

# the same content, uncompressed, and zstd -T2 -3 on it
mkcache "$T/raw"
"$PADDOCK" build "$T/c3.yml" -q -o "$T/raw-out" --kernel "$KERNEL" --cache "$T/raw" --compression none
raw=$T/raw-out/base.img
cat "$raw" >/dev/null
# best of 3 for both, interleaved, so other load on the machine hits both alike
zt= bt= arch=
mkcache "$T/cold"
for i in 1 2 3; do
	t0=$(now); zstd -q -T2 -3 -c "$raw" >"$T/zstd.out"; t1=$(now)
	z=$(secs "$t0" "$t1")
	rm -rf "$T/cold/base" "$T/cold-out"
	t0=$(now)
	"$PADDOCK" build "$T/c3.yml" --formats kernel -o "$T/cold-out" --kernel "$KERNEL" --cache "$T/cold" 2>"$T/cold.log"
	t1=$(now)
	b=$(secs "$t0" "$t1")
	a=$(sed -n 's/.*archive base: .*(\([0-9.]*\) s)$/\1/p' "$T/cold.log")
	if [ -z "$zt" ] || awk -v x="$z" -v y="$zt" 'BEGIN { exit !(x < y) }'; then zt=$z; fi
	if [ -z "$bt" ] || awk -v x="$b" -v y="$bt" 'BEGIN { exit !(x < y) }'; then bt=$b; arch=$a; fi
done

size=$(json "$T/cold-out/manifest.json" 'd["base"]["size"]')
usize=$(json "$T/cold-out/manifest.json" 'd["base"]["uncompressed_size"]')
echo "kernel flavour:              $KERNEL"
echo "base size:                   $((size / 1048576)) MiB compressed (zstd), $((usize / 1048576)) MiB uncompressed ($(wc -c <"$T/zstd.out" | awk '{printf "%d", $1/1048576}') MiB by zstd -T2 -3)"
echo "base build (base not cached, components unpacked; best of 3): ${bt} s, of which ${arch} s writing the archive"
echo "zstd -T2 -3 of the same uncompressed archive (best of 3): ${zt} s"
echo "ratio base build / zstd:     $(awk -v a="$bt" -v b="$zt" 'BEGIN { printf "%.2f", a / b }') (goal <= 1.3)"

# from the .debs: every component unpacked again (once per machine in practice)
mkdir -p "$T/fresh/trees"; ln -s "$SHARED/debs" "$T/fresh/debs"
t0=$(now)
"$PADDOCK" build "$T/c3.yml" -q -o "$T/fresh-out" --kernel "$KERNEL" --cache "$T/fresh"
t1=$(now)
echo "first build from the .debs (unpacking every component): $(secs "$t0" "$t1") s"

for n in 3 100 1000; do
	t0=$(now)
	"$PADDOCK" build "$T/c$n.yml" -q -o "$T/out$n" --kernel "$KERNEL" --cache "$T/cold" --formats kernel
	t1=$(now)
	[ "$(find "$T/out$n" -name node.img | wc -l)" -eq "$n" ] || { echo "build $n: wrong node count" >&2; exit 1; }
	echo "build $n nodes, base cached: $(secs "$t0" "$t1") s"
done
nsize=$(stat -c %s "$T/out100/node50/node.img")
echo "node layer:                  $nsize bytes ($(awk -v s="$nsize" 'BEGIN { printf "%.2f", s / 1024 }') KiB, goal <= 64 KiB)"
