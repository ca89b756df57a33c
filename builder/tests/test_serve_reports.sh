#!/usr/bin/env bash
# The two halves of the stage reports end to end, without QEMU: `paddock
# serve --proxy` on a veth in a network namespace of its own, and "node1"
# (its MAC and planned address) in a second namespace on the other end.
# node1 fetches its script, takes the kernel line from it (with the
# paddock.report=URL the server added) and its layer (the access rule lets
# it have nodes/node1.img, not nodes/node2.img), and the real
# build/initrd/paddock-report sends a queue of every stage with the node
# name and key from that layer.  The --json events show each stage in
# order from node1's address; `paddock status` shows the last; a report
# signed with another key is refused (401) and logged, and ends the
# reporter; a replayed seq is refused (409).
# Needs root, ip, dnsmasq, curl, zstd and cpio; exit 77 without them.
CLUSTER=${CLUSTER:-$(pwd)/configs/ha-3node.yml}
. builder/tests/build-helpers.bash
REPORTER=$BUILD_DIR/initrd/paddock-report
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip curl zstd cpio; do command -v "$t" >/dev/null || skip "no $t"; done
[ -x /usr/sbin/dnsmasq ] || skip "no /usr/sbin/dnsmasq (dnsmasq-base)"
[ -x "$REPORTER" ] || fail "no $REPORTER (make all)"

S=paddock-rs-$$ N=paddock-rn-$$ serve_pid=
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	ip netns del "$N" 2>/dev/null
	for d in "${cleanup_dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
ip netns add "$S" && ip netns add "$N" || skip "cannot make network namespaces"
ip -n "$S" link set lo up && ip -n "$N" link set lo up &&
	ip -n "$S" link add pv0 type veth peer name pv1 netns "$N" &&
	ip -n "$S" addr add 10.10.0.1/24 dev pv0 && ip -n "$S" link set pv0 up &&
	ip -n "$N" link set pv1 address 52:54:00:00:02:01 &&
	ip -n "$N" addr add 10.10.0.11/24 dev pv1 && ip -n "$N" addr add 10.10.0.12/24 dev pv1 &&
	ip -n "$N" link set pv1 up || skip "cannot make a veth pair"
on_node() { ip netns exec "$N" "$@"; }

new_cache "$T/c"
"$PADDOCK" build "$CLUSTER" -q -o "$T/out" --cache "$T/c" --formats ipxe 2>"$T/build.err" ||
	fail "paddock build: $(cat "$T/build.err")"

ip netns exec "$S" "$PADDOCK" serve "$T/out" --interface pv0 --proxy --json >"$T/events" 2>"$T/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q 'serving ' "$T/serve.err" && break; sleep 0.1; done
grep -q 'serving ' "$T/serve.err" || fail "paddock serve did not start: $(cat "$T/serve.err")"

# the node's script and its kernel line, as iPXE would hand it to the kernel
URL=http://10.10.0.1:8080
on_node curl -sf "$URL/52-54-00-00-02-01.ipxe" >"$T/script" || fail "no script for node1's MAC"
grep '^kernel ' "$T/script" | sed -E 's/^kernel --name [^ ]+ [^ ]+ //; s/ \|\| goto failed$//' >"$T/cmdline"
grep -q " paddock.report=$URL/report\b" "$T/cmdline" || fail "kernel line without paddock.report=$URL/report: $(cat "$T/cmdline")"
echo "ok: node1's kernel line has paddock.report=$URL/report"

# node1's layer from node1's address; node2's from an address whose MAC is node1's: refused
mkdir -p "$T/layer"
on_node curl -sf --interface 10.10.0.11 "$URL/nodes/node1.img" -o "$T/node1.img" || fail "node1.img refused to node1"
(cd "$T/layer" && zstd -dc "$T/node1.img" | cpio -id --quiet) || fail "node1.img: not a zstd cpio"
cmp -s "$T/layer/etc/paddock/report.key" "$T/out/node1/report.key" ||
	fail "the layer's /etc/paddock/report.key is not OUT/node1/report.key"
code=$(on_node curl -s -o /dev/null -w '%{http_code}' --interface 10.10.0.12 "$URL/nodes/node2.img")
[ "$code" = 403 ] || fail "nodes/node2.img to 10.10.0.12 (node1's MAC): HTTP $code, expected 403"
grep -q 'refused nodes/node2.img to 10.10.0.12 (MAC 52:54:00:00:02:01)' "$T/serve.err" || fail "refusal not logged"
echo "ok: node1.img to node1; node2.img to node1's MAC refused (403) and logged"

# every stage, from node1's address (the route's source), with the layer's name and key
cat /proc/sys/kernel/random/boot_id >"$T/boot_id"
stages="init network state-disk system-docker etcd-member etcd-healthy role-containers"
t=1000
for s in $stages; do
	t=$((t + 1500))
	[ "$s" = etcd-member ] && echo "t=$t stage=$s detail=new%20cluster" || echo "t=$t stage=$s"
done >"$T/queue"
report() { # KEY QUEUE POS: paddock-report drains QUEUE
	on_node timeout 20 "$REPORTER" --cmdline "$T/cmdline" --node-conf "$T/layer/etc/paddock/node.conf" --key "$1" \
		--boot-id "$T/boot_id" --queue "$2" --pos "$3" --tries 2 --backoff 0.2 --drain
}
report "$T/layer/etc/paddock/report.key" "$T/queue" "$T/pos" >"$T/rep.out" 2>&1 || fail "paddock-report: $(cat "$T/rep.out")"
[ ! -s "$T/rep.out" ] || fail "paddock-report said: $(cat "$T/rep.out")"
for _ in $(seq 20); do grep -q '"stage":"role-containers"' "$T/events" && break; sleep 0.1; done
got=$(grep '"source":"node"' "$T/events" | grep '"node":"node1"' | grep '"address":"10.10.0.11"' |
	sed -E 's/.*"stage":"([^"]+)".*/\1/' | paste -sd ' ')
[ "$got" = "$stages" ] || fail "node1's reported stages: '$got', expected '$stages'"
grep -q '"stage":"etcd-member".*"node_ms":8500,"detail":"new cluster"' "$T/events" ||
	fail "etcd-member: no node_ms or decoded detail: $(grep etcd-member "$T/events")"
echo "ok: every stage reported in order from 10.10.0.11"
"$PADDOCK" status "$T/out" >"$T/status" || fail "paddock status"
grep -Eq '^node1 +52:54:00:00:02:01 +10.10.0.11 +role containers ' "$T/status" || fail "status: $(cat "$T/status")"
echo "ok: paddock status shows node1 at role containers"

# the same seq again (a reporter that lost its place): 409, dropped, said once
report "$T/layer/etc/paddock/report.key" "$T/queue" "$T/pos.again" >"$T/rep.out" 2>&1
grep -q 'HTTP 409' "$T/rep.out" || fail "replayed reports: $(cat "$T/rep.out")"
grep -q 'rejected (409)' "$T/serve.err" || fail "replay not logged"
echo "ok: a replayed seq is refused (409)"

# a report signed with another key: 401, logged, not an event, and the reporter stops
n_events=$(wc -l <"$T/events")
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/forged.key" && echo >>"$T/forged.key"
printf 't=30000 stage=failed detail=forged\nt=30001 stage=init\n' >"$T/forged.queue"
report "$T/forged.key" "$T/forged.queue" "$T/forged.pos" >"$T/rep.out" 2>&1
grep -q 'HTTP 401' "$T/rep.out" || fail "forged report: $(cat "$T/rep.out")"
[ "$(grep -c "rejected (401): report for node 'node1': bad signature" "$T/serve.err")" = 1 ] ||
	fail "forged report not logged once: $(grep rejected "$T/serve.err")"
sleep 0.3
[ "$(wc -l <"$T/events")" = "$n_events" ] || fail "a forged report made an event: $(tail -1 "$T/events")"
echo "ok: a forged report is refused (401), logged once, and ends the reporter"
echo "PASS"
