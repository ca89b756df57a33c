#!/usr/bin/env bash
# PKI figures (printed, never pass/fail), for 100 and 1000 nodes (3 etcd +
# control plane, the rest workers, secrets encryption on):
#  - `paddock validate` (reading and planning the file: the floor);
#  - `paddock certs issue` with no state file (every CA, key and
#    certificate made) and with the state file it left (all loaded,
#    checked against the plan, nothing written);
#  - the state file's size and what is in it;
#  - with the component cache filled (`make components`), `paddock build`
#    with the state fresh and reused, the base cached.
# Times are the best of 3.  Goal: 100 nodes under 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PADDOCK:=$PWD/build/paddock}"
SHARED=${PADDOCK_CACHE:-$HOME/.cache/paddock}
T=$(mktemp -d "${TMPDIR:-/tmp}/paddock-bench-pki.XXXXXX")
trap 'rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

now() { date +%s.%N; }
# best N CMD...: the shortest of 3 runs of CMD, in seconds; before each run, eval "$PRE"
PRE=:
best() {
	local b= t0 t1 d i
	for i in 1 2 3; do
		eval "$PRE"
		t0=$(now)
		"$@" >/dev/null 2>"$T/err" || { echo "failed: $*" >&2; cat "$T/err" >&2; exit 1; }
		t1=$(now)
		d=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		if [ -z "$b" ] || awk -v x="$d" -v y="$b" 'BEGIN { exit !(x < y) }'; then b=$d; fi
	done
	echo "$b"
}

. bench/clusters.bash
cluster() {
	bench_cluster "$1" 'services:
  kube-api:
    secrets_encryption_config: {enabled: true}'
}

have_cache=
[ -d "$SHARED/debs" ] && [ -x build/initrd/init ] && have_cache=1
if [ -n "$have_cache" ]; then
	mkdir -p "$T/cache"; ln -s "$SHARED/debs" "$T/cache/debs"; mkdir -p "$SHARED/trees"; ln -s "$SHARED/trees" "$T/cache/trees"
fi

for n in 100 1000; do
	f=$T/c$n.yml s=$T/c$n.paddock-state
	cluster "$n" >"$f"
	v=$(best "$PADDOCK" validate "$f")
	PRE="rm -f $s"
	fresh=$(best "$PADDOCK" certs issue "$f")
	PRE=:
	[ -s "$s" ] || "$PADDOCK" certs issue "$f" >/dev/null 2>&1
	reused=$(best "$PADDOCK" certs issue "$f")
	certs=$(jq '[.cluster, .nodes[] | to_entries[] | select(.value | startswith("-----BEGIN CERTIFICATE"))] | length' "$s")
	keys=$(jq '[.cluster, .nodes[] | to_entries[] | select(.value | contains("PRIVATE KEY"))] | length' "$s")
	echo "$n nodes: validate ${v} s; certs issue: state fresh ${fresh} s, reused ${reused} s" \
		"(PKI alone: $(awk -v a="$fresh" -v b="$v" 'BEGIN { printf "%.3f", a - b }') s fresh," \
		"$(awk -v a="$reused" -v b="$v" 'BEGIN { printf "%.3f", a - b }') s reused)"
	echo "$n nodes: state file $(( $(stat -c %s "$s") / 1024 )) KiB: $certs certificates, $keys private keys"
	if [ -n "$have_cache" ]; then
		"$PADDOCK" build "$f" -q -o "$T/warm" --cache "$T/cache" --formats kernel >/dev/null 2>&1 # base cached
		PRE="rm -f $s"
		bf=$(best "$PADDOCK" build "$f" -q -o "$T/out$n" --cache "$T/cache" --formats kernel)
		PRE=:
		br=$(best "$PADDOCK" build "$f" -q -o "$T/out$n" --cache "$T/cache" --formats kernel)
		echo "$n nodes: build --formats kernel, base cached: state fresh ${bf} s, reused ${br} s"
	fi
done
