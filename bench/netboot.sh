#!/usr/bin/env bash
# paddock serve figures (printed, never pass/fail on speed):
#   - HTTP: base.img of the HA example to three clients at once, three
#     times each (curl in a
#     second network namespace at the end of a veth, `paddock serve
#     --proxy` in the first), against three plain `cat`s of the file to
#     /dev/null at once: the server is not the bottleneck when the two are
#     close;
#   - power-on -> 3-member etcd quorum (etcdctl: 3 healthy endpoints, 3
#     started voters) of the HA example netbooted from `paddock serve
#     --dhcp` (three BIOS guests, -boot n, blank disks: no -kernel, no
#     -initrd), next to the same cluster booted with -kernel/-initrd on
#     fresh disks in the same run (qemu-tests/lan.sh, as ha_quorum.sh).
# Needs root (namespaces, taps), dnsmasq and curl; the QEMU part also
# etcdctl and QEMU.  BENCH_NO_QEMU=1 prints the HTTP figures
# only.  NETBOOT_MEM (MiB, default 1024) tries another guest size.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PADDOCK=${PADDOCK:-$BUILD/paddock}
. qemu-tests/lib.sh
. qemu-tests/lan.sh
MEM=${NETBOOT_MEM:-1024}
PORT=8080
T=$QEMU_TMP
since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }
since3() { echo "$(now) $1" | awk '{ printf "%.3f", $1 - $2 }'; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
[ -x /usr/sbin/dnsmasq ] || skip "no /usr/sbin/dnsmasq (Debian's dnsmasq-base)"
command -v curl >/dev/null || skip "no curl"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

ssh-keygen -q -t ed25519 -N '' -C paddock-bench -f "$T/id" || fail "ssh-keygen"
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" configs/ha-3node.yml >"$T/cluster.yml"
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" --formats kernel,initrd,ipxe || fail "paddock build"
BASE=$T/out/ipxe/base.img
size=$(stat -c %s "$BASE")

# --- HTTP: three clients at once, against cat ------------------------------
S=paddock-hs-$$ C=paddock-hc-$$ SERVE_PID=
http_cleanup() {
	[ -z "$SERVE_PID" ] || { kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }
	SERVE_PID=
	ip netns del "$S" 2>/dev/null
	ip netns del "$C" 2>/dev/null
}
trap 'http_cleanup; qemu_cleanup; lan_cleanup' EXIT
ip netns add "$S" && ip netns add "$C" && ip -n "$S" link set lo up &&
	ip -n "$S" link add pv0 type veth peer name pv1 netns "$C" && ip -n "$S" addr add 10.77.0.1/24 dev pv0 &&
	ip -n "$S" link set pv0 up && ip -n "$C" addr add 10.77.0.50/24 dev pv1 && ip -n "$C" link set pv1 up ||
	skip "cannot make network namespaces and a veth pair"
ip netns exec "$S" "$PADDOCK" serve "$T/out" --interface pv0 --proxy >/dev/null 2>"$T/http-serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do ip netns exec "$C" curl -sf --max-time 2 -o /dev/null http://10.77.0.1:$PORT/boot.ipxe && break; sleep 0.2; done
ip netns exec "$C" curl -sf --max-time 2 -o /dev/null http://10.77.0.1:$PORT/boot.ipxe ||
	fail "paddock serve did not answer: $(cat "$T/http-serve.err")"
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", b / s / 1e6 }'; }
cat "$BASE" >/dev/null # the page cache holds it for both
best_http= best_cat= URL=http://10.77.0.1:$PORT/base.img
for round in 1 2 3; do
	t0=$(now)
	pids=()
	for i in 1 2 3; do
		ip netns exec "$C" curl -sf -o /dev/null -o /dev/null -o /dev/null "$URL" "$URL" "$URL" & pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fail "a client's GET /base.img failed"; done
	h=$(since3 "$t0")
	t0=$(now)
	pids=()
	for i in 1 2 3; do cat "$BASE" "$BASE" "$BASE" >/dev/null & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p"; done
	c=$(since3 "$t0")
	echo "round $round: 3 clients x 3 x base.img ($((size / 1048576)) MiB): paddock serve $h s ($(rate $((9 * size)) "$h")), cat $c s ($(rate $((9 * size)) "$c"))"
	best_http=$(echo "${best_http:-$h} $h" | awk '{ print ($2 < $1) ? $2 : $1 }')
	best_cat=$(echo "${best_cat:-$c} $c" | awk '{ print ($2 < $1) ? $2 : $1 }')
done
echo "HTTP: base.img to three clients at once: $(rate $((9 * size)) "$best_http") from paddock serve," \
	"$(rate $((9 * size)) "$best_cat") from three plain cats (best of 3 rounds)"
http_cleanup

[ -z "${BENCH_NO_QEMU:-}" ] || exit 0

# --- power-on -> quorum: netbooted against -kernel/-initrd ----------------
command -v etcdctl >/dev/null || skip "no etcdctl (Debian's etcd-client): the boot figures need it"
lan_create nbbench 10.10.0.1/24 || skip "$LAN_ERROR"
lan_check_isolated >/dev/null || fail "$LAN_ERROR"
ip -n "$LAN_NS" link set lo up || fail "lo up"
# router advertisements spare iPXE a 16 s wait (netboot.md §2)
lan_exec sysctl -qw net.ipv6.conf.br0.disable_ipv6=0 && ip -n "$LAN_NS" addr add fd77::1/64 dev br0 nodad ||
	fail "IPv6 on br0"
"$PADDOCK" plan --json "$T/cluster.yml" >"$T/plan.json" || fail "paddock plan"
lan_plan_read "$T/plan.json" etcd
[ "${#NAMES[@]}" -eq 3 ] || fail "expected 3 etcd nodes in the plan, got ${#NAMES[@]}"
ectl() { with_etcdctl_env "$T/out" lan_exec timeout 10 etcdctl --dial-timeout=2s --command-timeout=4s "$@"; }
EPS=$(for n in "${NAMES[@]}"; do printf 'https://%s:2379,' "${ADDR[$n]}"; done)
EPS=${EPS%,}
quorum_ok() {
	ectl --endpoints="$EPS" endpoint health >/dev/null 2>&1 &&
		[ "$(ectl --endpoints="$EPS" member list -w simple 2>/dev/null | grep -c ', started, .*, false$')" -eq 3 ]
}
i=0
for n in "${NAMES[@]}"; do i=$((i + 1)); lan_tap "tap$i" || fail "$LAN_ERROR"; done
# until_quorum KIND: waits for the quorum of the guests KIND-NODE; prints the figures
until_quorum() {
	local kind=$1 t_on=$2 n q= deadline=$(( $(date +%s) + 1200 ))
	declare -A up=()
	while [ -z "$q" ]; do
		for n in "${NAMES[@]}"; do
			[ -z "${up[$n]:-}" ] && tr -d '\r' <"$(qemu_log "$kind-$n")" | grep -qaE '^paddock: etcd healthy [0-9.]+' &&
				up[$n]=$(qemu_elapsed "$kind-$n")
			kill -0 "${QEMU_PID[$kind-$n]}" 2>/dev/null || { qemu_wait "$kind-$n" '^paddock: etcd healthy' 1; fail "$kind-$n: guest exited"; }
		done
		[ "${#up[@]}" -gt 0 ] && quorum_ok && q=$(since "$t_on")
		[ "$(date +%s)" -lt "$deadline" ] || fail "$kind: no 3-member quorum within 1200 s"
		[ -n "$q" ] || sleep 1
	done
	echo "$kind: power-on -> 3-member quorum: $q s (each node's 'etcd healthy': $(for n in "${NAMES[@]}"; do printf '%s %s s ' "$n" "${up[$n]:-later}"; done))"
	for n in "${NAMES[@]}"; do qemu_stop "$kind-$n"; done
}

# netbooted: paddock serve --dhcp, three BIOS guests with only a MAC, a blank disk and -boot n
ip netns exec "$LAN_NS" "$PADDOCK" serve "$T/out" --interface br0 --port $PORT --dhcp --json \
	>"$T/serve.json" 2>"$T/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do lan_exec curl -sf --max-time 2 -o /dev/null "http://10.10.0.1:$PORT/boot.ipxe" && break; sleep 0.2; done
lan_exec curl -sf --max-time 2 -o /dev/null "http://10.10.0.1:$PORT/boot.ipxe" || fail "paddock serve --dhcp: $(cat "$T/serve.err")"
t_on=$(now)
i=0
for n in "${NAMES[@]}"; do
	i=$((i + 1))
	truncate -s 4G "$T/net-$n.disk" || fail "disk"
	lan_qemu_start "net-$n" "tap$i" "${MAC[$n]}" -m "$MEM" -boot n -drive "file=$T/net-$n.disk,if=virtio,format=raw" ||
		fail "net-$n: qemu did not start"
done
until_quorum net "$t_on"
kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
for n in "${NAMES[@]}"; do
	python3 - "$T/serve.json" "$n" <<'PY'
import json, sys
first, seen = None, {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("node") != sys.argv[2]:
        continue
    first = first or e["time_ms"]
    seen.setdefault(e["stage"], e["time_ms"])
print("net-%s: serve saw (s after its first event): %s" % (sys.argv[2], ", ".join(
    "%s %.1f" % (s, (t - first) / 1000) for s, t in sorted(seen.items(), key=lambda kv: kv[1]))))
PY
done

# the same cluster from -kernel/-initrd, fresh disks
t_on=$(now)
i=0
for n in "${NAMES[@]}"; do
	i=$((i + 1))
	truncate -s 4G "$T/kern-$n.disk" || fail "disk"
	lan_node_start "kern-$n" "$T/out" "$n" "tap$i" "${MAC[$n]}" "$T/kern-$n.disk" -m "$MEM" || fail "kern-$n: qemu did not start"
done
until_quorum kern "$t_on"
