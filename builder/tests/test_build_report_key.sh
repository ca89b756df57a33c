#!/usr/bin/env bash
# Each node's report key (pki/report_key.h), through `paddock build` on the
# 3-node HA example plus a worker: in the node's layer at
# /etc/paddock/report.key (0400 root) and the same bytes in
# OUT/<node>/report.key (0600) for `paddock serve`, never in the served
# tftp/ and ipxe/ trees; one per node; the same on a rebuild with the same
# state (the layers byte for byte), kept by `certs rotate`; gone from the
# state with its node; never in plan, build or audit output.
CLUSTER=${CLUSTER:-$(pwd)/configs/ha-3node.yml}
. builder/tests/build-helpers.bash
new_cache "$T/c"
STATE=${CLUSTER%.yml}.paddock-state
# a fourth node, a worker, that a later build drops
cat >>"$CLUSTER.nodes" <<'Y'
  - address: 10.10.0.14
    hostname_override: node4
    user: rancher
    role: [worker]
    paddock:
      mac: "52:54:00:00:02:04"
      network:
        address: 10.10.0.14/24
Y
python3 - "$CLUSTER" "$CLUSTER.nodes" <<'PY'
import sys
text, extra = open(sys.argv[1]).read(), open(sys.argv[2]).read()
at = text.index("\nservices:")
open(sys.argv[1], "w").write(text[:at].rstrip("\n") + "\n" + extra + text[at:])
PY
build() { "$PADDOCK" build "$CLUSTER" -o "$T/$1" --cache "$T/c" --formats kernel,pxe,ipxe; }
# layer_key OUT NODE: "MODE UID:GID" and the key file of the node's layer
layer_key() {
	python3 - "$1/$2/node.img" <<'PY'
import subprocess, sys
sys.path.insert(0, "builder/tests")
from layer_secrets import newc_files
blob = subprocess.run(["zstd", "-dc", sys.argv[1]], check=True, capture_output=True).stdout
for path, mode, uid, gid, data in newc_files(blob):
    if path == "/etc/paddock/report.key":
        print("%04o %d:%d" % (mode, uid, gid))
        sys.stdout.write(data.decode())
PY
}

build out >"$T/build1.out" 2>"$T/build1.err" || { cat "$T/build1.err"; fail "first build"; }
for n in node1 node2 node3 node4; do
	layer_key "$T/out" $n >"$T/$n.layer" || fail "$n: layer unreadable"
	[ "$(head -1 "$T/$n.layer")" = "0400 0:0" ] || fail "$n: layer key $(head -1 "$T/$n.layer")"
	tail -n +2 "$T/$n.layer" >"$T/$n.key"
	grep -Eqx '[0-9a-f]{64}' "$T/$n.key" && [ "$(wc -c <"$T/$n.key")" = 65 ] || fail "$n: key not 64 hex + newline"
	cmp -s "$T/$n.key" "$T/out/$n/report.key" || fail "$n: OUT/$n/report.key is not the layer's key"
	[ "$(stat -c %a "$T/out/$n/report.key")" = 600 ] || fail "$n: OUT/$n/report.key mode"
	jq -e --arg f "$n/report.key" '.operator | map(.path) | index($f)' "$T/out/manifest.json" >/dev/null ||
		fail "$n/report.key not in the manifest"
	grep -q "  $n/report.key\$" "$T/out/SHA256SUMS" || fail "$n/report.key not in SHA256SUMS"
	[ "$(jq -r --arg n "$n" '.nodes[$n]["report.key"]' "$STATE")" = "$(cat "$T/$n.key")" ] ||
		fail "$n: the state file has another key"
done
[ "$(cat "$T"/node?.key | sort -u | wc -l)" = 4 ] || fail "nodes share a key"
! find "$T/out/tftp" "$T/out/ipxe" -name 'report.key' | grep -q . || fail "a report key in a served tree"
for n in node1 node2 node3 node4; do
	! grep -rqF "$(cat "$T/$n.key")" "$T/out/tftp" "$T/out/ipxe" || fail "$n's key in a served tree"
done
echo "ok: each node's key in its layer (0400 root) and OUT/<node>/report.key (0600), one per node"

# never printed: plan, build, audit
"$PADDOCK" plan "$CLUSTER" >"$T/plan.txt" 2>&1 || fail "plan"
"$PADDOCK" plan --json "$CLUSTER" >"$T/plan.json" 2>&1 || fail "plan --json"
grep -q '/etc/paddock/report.key' "$T/plan.txt" || fail "plan does not list the key file"
"$PADDOCK" audit "$T/out" >"$T/audit.out" 2>&1 || fail "audit: $(tail -5 "$T/audit.out")"
for n in node1 node2 node3 node4; do
	! grep -qF "$(cat "$T/$n.key")" "$T/plan.txt" "$T/plan.json" "$T/build1.out" "$T/build1.err" "$T/audit.out" ||
		fail "$n's key printed"
done
echo "ok: no key in plan, build or audit output"

# the same state, the same layers and keys
mkdir "$T/again"
build again/out >/dev/null 2>"$T/build2.err" || fail "rebuild"
for n in node1 node2 node3 node4; do
	cmp -s "$T/out/$n/node.img" "$T/again/out/$n/node.img" || fail "$n: layer differs on a rebuild"
	cmp -s "$T/out/$n/report.key" "$T/again/out/$n/report.key" || fail "$n: key differs on a rebuild"
done
"$PADDOCK" certs rotate "$CLUSTER" >/dev/null || fail "certs rotate"
build rotated >/dev/null 2>&1 || fail "build after rotate"
cmp -s "$T/out/node1/report.key" "$T/rotated/node1/report.key" || fail "rotate changed node1's report key"
echo "ok: a rebuild gives the same layers and keys; rotation keeps them"

# node4 leaves the cluster file: its key leaves the state
python3 - "$CLUSTER" <<'PY'
import sys
text = open(sys.argv[1]).read()
at = text.index("  - address: 10.10.0.14")
end = text.index("\nservices:")
open(sys.argv[1], "w").write(text[:at] + text[end + 1:])
PY
build three >/dev/null 2>"$T/build3.err" || { cat "$T/build3.err"; fail "build without node4"; }
grep -q "removed the keys and certificates of 1 node(s) no longer in .*: node4" "$T/build3.err" ||
	fail "no word on node4: $(cat "$T/build3.err")"
[ "$(jq '.nodes | has("node4")' "$STATE")" = false ] || fail "node4 still in the state"
! grep -qF "$(cat "$T/node4.key")" "$STATE" || fail "node4's key still in the state"
cmp -s "$T/out/node1/report.key" "$T/three/node1/report.key" || fail "node1's key changed"
[ ! -e "$T/three/node4" ] || fail "OUT/node4 still there"
echo PASS
