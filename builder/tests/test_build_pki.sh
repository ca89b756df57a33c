#!/usr/bin/env bash
# The cluster PKI through `paddock build` on the 3-node HA example (a copy,
# with its own state file): the state file is made 0600 and announced
# once; every private key is in its own node's layer only (never in
# base.img, another node, manifest.json, plan output or the build's
# output); OUT has the operator's files, private; etcd's client
# certificate verifies with openssl; a rebuild is byte-identical; a
# readable state file is refused; a build waits for another's lock;
# `paddock certs rotate [--ca]` renews.
CLUSTER=${CLUSTER:-$(pwd)/configs/ha-3node.yml}
. builder/tests/build-helpers.bash
new_cache "$T/c"
STATE=${CLUSTER%.yml}.paddock-state
build() { "$PADDOCK" build "$CLUSTER" -o "$T/$1" --cache "$T/c" --formats kernel; }

build out >"$T/build1.out" 2>"$T/build1.err" || { cat "$T/build1.err"; fail "first build"; }
grep -q "created $STATE: .*losing it means re-keying the cluster" "$T/build1.err" || fail "no word on the new state file"
[ "$(stat -c %a "$STATE")" = 600 ] || fail "state file mode $(stat -c %a "$STATE")"
"$PADDOCK" plan "$CLUSTER" >"$T/plan.txt" 2>&1 || fail "plan"
"$PADDOCK" plan --json "$CLUSTER" >"$T/plan.json" 2>&1 || fail "plan --json"

# every key where it belongs, and nowhere else
python3 "$ROOT/builder/tests/layer_secrets.py" "$STATE" "$T/out" "$T/out/manifest.json" "$T/out/SHA256SUMS" \
	"$T/plan.txt" "$T/plan.json" "$T/build1.out" "$T/build1.err" >"$T/scan" || { cat "$T/scan"; fail "misplaced keys"; }
grep -q "^scanned node3: " "$T/scan" || fail "node3 not scanned"
grep -Eq "kube-etcd-10-10-0-11-key.pem: node1 .* 0600 52034:52035$" "$T/scan" || fail "etcd key not etcd's"
# the scanner does see a key where it must not be
! python3 "$ROOT/builder/tests/layer_secrets.py" "$STATE" "$T/out" "$T/out/etcd/client-key.pem" >/dev/null ||
	fail "the scan misses a cluster key"

# the operator's files
for f in kube_config_ha-3node.yml etcd/ca.pem etcd/client.pem etcd/client-key.pem etcd/etcdctl.env; do
	[ "$(stat -c %a "$T/out/$f")" = 600 ] || fail "$f: mode $(stat -c %a "$T/out/$f")"
	grep -q "  $f\$" "$T/out/SHA256SUMS" || fail "$f not in SHA256SUMS"
	jq -e --arg f "$f" '.operator | map(.path) | index($f)' "$T/out/manifest.json" >/dev/null ||
		fail "$f not in the manifest"
done
[ "$(stat -c %a "$T/out/etcd")" = 700 ] || fail "etcd/ not 0700"
openssl verify -CAfile "$T/out/etcd/ca.pem" "$T/out/etcd/client.pem" || fail "etcd client certificate"
grep -q '^ETCDCTL_ENDPOINTS=https://10.10.0.11:2379,https://10.10.0.12:2379,https://10.10.0.13:2379$' \
	"$T/out/etcd/etcdctl.env" || fail "etcdctl.env endpoints"
grep -q '^    server: "https://10.10.0.11:6443"$' "$T/out/kube_config_ha-3node.yml" || fail "kubeconfig server"
grep '^    client-certificate-data: ' "$T/out/kube_config_ha-3node.yml" | cut -d: -f2 | tr -d ' ' | base64 -d \
	>"$T/admin.pem" || fail "kubeconfig certificate"
openssl verify -CAfile "$T/out/etcd/ca.pem" "$T/admin.pem" >/dev/null || fail "admin certificate"
openssl x509 -in "$T/admin.pem" -noout -subject | grep -q 'O = system:masters, CN = kube-admin' || fail "admin subject"

# a rebuild: same bytes, state untouched, nothing announced (into an OUT
# of the same name: ssh_config finds known_hosts by OUT's name)
cp "$STATE" "$T/state.before"
mkdir "$T/again"
build again/out >/dev/null 2>"$T/build2.err" || fail "rebuild"
diff <(tree_sum "$T/out") <(tree_sum "$T/again/out") || fail "rebuild differs"
cmp -s "$STATE" "$T/state.before" || fail "rebuild changed the state file"
! grep -q "created" "$T/build2.err" || fail "the state file announced twice"

# a state file others may read is refused, and OUT stays
chmod 640 "$STATE"
expect_fail "ha-3node.paddock-state: mode 0640 lets other users at the cluster's keys" build again/out
diff <(tree_sum "$T/out") <(tree_sum "$T/again/out") >/dev/null || fail "refused build touched OUT"
chmod 600 "$STATE"

# a build waits while another holds the lock
flock "$STATE.lock" sleep 2 &  # the lock is on STATE.lock, which a save never replaces
sleep 0.3
build out3 >/dev/null 2>"$T/build3.err" || fail "build after the lock"
grep -q "waiting for $STATE: another paddock is using it" "$T/build3.err" || fail "no word on the lock"
wait

# rotation: new leaves under the same CA; --ca: a new CA
"$PADDOCK" certs rotate "$CLUSTER" >"$T/rotate.out" || fail "certs rotate"
grep -q "keys and certificates replaced" "$T/rotate.out" || fail "rotate said: $(cat "$T/rotate.out")"
build out4 >/dev/null 2>&1 || fail "build after rotate"
cmp -s "$T/out/etcd/ca.pem" "$T/out4/etcd/ca.pem" || fail "rotate changed the CA"
! cmp -s "$T/out/etcd/client-key.pem" "$T/out4/etcd/client-key.pem" || fail "rotate kept the client key"
! cmp -s "$T/out/node1/node.img" "$T/out4/node1/node.img" || fail "rotate kept node1's layer"
openssl verify -CAfile "$T/out4/etcd/ca.pem" "$T/out4/etcd/client.pem" >/dev/null || fail "rotated client"
"$PADDOCK" certs rotate "$CLUSTER" --ca >/dev/null || fail "certs rotate --ca"
build out5 >/dev/null 2>&1 || fail "build after rotate --ca"
! cmp -s "$T/out4/etcd/ca.pem" "$T/out5/etcd/ca.pem" || fail "rotate --ca kept the CA"
openssl verify -CAfile "$T/out5/etcd/ca.pem" "$T/out5/etcd/client.pem" >/dev/null || fail "client under the new CA"
python3 "$ROOT/builder/tests/layer_secrets.py" "$STATE" "$T/out5" >"$T/scan5" || { cat "$T/scan5"; fail "after rotation"; }
"$PADDOCK" certs rotate "$T/none.yml" >/dev/null 2>&1 && fail "rotate without a cluster file"
echo PASS
