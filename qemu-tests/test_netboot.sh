#!/usr/bin/env bash
# paddock serve network-boots the HA example on the netns LAN (lan.sh) with
# nothing handed to QEMU but a MAC, a blank disk and -boot n: node1 and
# node2 are BIOS guests through QEMU's iPXE ROM (the HTTP leg; SeaBIOS
# copies the screen to the serial log, so iPXE's lines are seen), node3 a
# UEFI guest through OVMF's own PXE (romfile= empty: the TFTP leg,
# snponly.efi).  `paddock serve --dhcp --json` runs in the namespace;
# the three form the etcd cluster (etcdctl from the namespace, as
# test_etcd_ha does); the event stream shows each node through every
# stage to etcd-healthy, and each reported stage agrees with the node's
# console (same stage, same time).  A forged report (wrong key) gets 401;
# a request for nodes/node1.img from node2's address and MAC (node2 off,
# a veth in a second namespace stands in for it) is refused and logged,
# while nodes/node2.img goes to it.  Then the refusals that need a LAN
# (--dhcp beside a foreign DHCP-only dnsmasq in that second namespace, a
# busy port, a missing interface), and --proxy mode beside that server:
# node1 (UEFI) boots and reports, and a fourth guest with an unknown MAC
# (which --dhcp gives no address) gets the message and no layer.  Prints
# power-on to quorum for the netbooted cluster.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
. qemu-tests/lan.sh
T=$QEMU_TMP
MEM=${NETBOOT_MEM:-1024}
PORT=8080
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

command -v etcdctl >/dev/null || skip "no etcdctl (Debian's etcd-client)"
[ -x /usr/sbin/dnsmasq ] || skip "no /usr/sbin/dnsmasq (Debian's dnsmasq-base)"
[ -f /usr/lib/ipxe/snponly.efi ] || skip "no /usr/lib/ipxe/snponly.efi (Debian's ipxe)"
[ -f "$OVMF_CODE" ] || skip "no OVMF (Debian's ovmf)"
lan_create netboot 10.10.0.1/24 || skip "$LAN_ERROR"
lan_check_isolated >/dev/null || fail "$LAN_ERROR"
# the server's own address is reached through lo (the test's curl, the
# forged report): lan.sh leaves it down
ip -n "$LAN_NS" link set lo up || fail "lo up"
# router advertisements (lifetime 0) spare iPXE a 16 s wait: the bridge
# needs an IPv6 address for dnsmasq to advertise (netboot.md §2)
lan_exec sysctl -qw net.ipv6.conf.br0.disable_ipv6=0 || fail "IPv6 on br0"
ip -n "$LAN_NS" addr add fd77::1/64 dev br0 nodad || fail "fd77::1 on br0"

ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" configs/ha-3node.yml >"$T/cluster.yml"
# the server points the iPXE scripts' URLs at itself
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" --formats ipxe || fail "paddock build"
"$PADDOCK" plan --json "$T/cluster.yml" >"$T/plan.json" || fail "paddock plan"
lan_plan_read "$T/plan.json" etcd
[ "${#NAMES[@]}" -eq 3 ] || fail "expected 3 etcd nodes, got ${#NAMES[@]}"
for n in "${NAMES[@]}"; do
	[ -s "$T/out/$n/report.key" ] || fail "$n: no report.key in the output (the node side of the reports)"
done

serve_start() { # LOG ARGS...: paddock serve in the namespace; SERVE_PID
	local log=$1
	shift
	# not through lan_exec: a function in the background is a subshell,
	# and its pid is not paddock's (ip netns exec execs it)
	ip netns exec "$LAN_NS" "$PADDOCK" serve "$T/out" --interface br0 --port $PORT --json "$@" \
		>"$T/$log.json" 2>"$T/$log.err" &
	SERVE_PID=$!
	for _ in $(seq 1 100); do
		lan_exec curl -sf --max-time 2 -o /dev/null "http://10.10.0.1:$PORT/boot.ipxe" && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || { cat "$T/$log.err" >&2; return 1; }
		sleep 0.2
	done
	return 1
}
serve_stop() { [ -z "$SERVE_PID" ] || { kill -TERM "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }; SERVE_PID=; }
SERVE_PID= FOREIGN= NS2=paddock-nbdhcp-$$
trap 'serve_stop; [ -z "$FOREIGN" ] || kill "$FOREIGN" 2>/dev/null; qemu_cleanup; ip netns del "$NS2" 2>/dev/null; lan_cleanup' EXIT

# --- full DHCP: the three nodes ------------------------------------------
serve_start dhcp --dhcp || fail "paddock serve --dhcp did not start"
declare -A TAP=()
i=0
for n in "${NAMES[@]}"; do
	i=$((i + 1)) TAP[$n]=tap$i
	lan_tap "${TAP[$n]}" || fail "$LAN_ERROR"
	truncate -s 4G "$T/$n.disk" || fail "disk image"
done
lan_tap tap9 || fail "$LAN_ERROR"
# SeaBIOS copies the screen to COM1 (sercon): iPXE prints on the screen only
printf '\xf8\x03' >"$T/sercon-port"
netboot_bios() { # RUN TAP MAC [DISK]
	lan_qemu_start "$1" "$2" "$3" -m "$MEM" -boot n -fw_cfg "name=etc/sercon-port,file=$T/sercon-port" \
		${4:+-drive "file=$4,if=virtio,format=raw"} || fail "$1: qemu did not start"
}
netboot_uefi() { # RUN TAP MAC [DISK [MEM]]: OVMF's own PXE (no iPXE ROM: romfile= empty)
	cp "$OVMF_VARS" "$T/$1.vars.fd" || fail "OVMF vars"
	QEMU="ip netns exec $LAN_NS $QEMU" qemu_start "$1" -machine q35 -m "${5:-$MEM}" \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$T/$1.vars.fd" \
		-netdev "tap,id=n0,ifname=$2,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=n0,mac=$3,bootindex=1,romfile=" \
		${4:+-drive "file=$4,if=virtio,format=raw"} || fail "$1: qemu did not start"
}
N1=${NAMES[0]} N2=${NAMES[1]} N3=${NAMES[2]}
netboot_bios "$N1" "${TAP[$N1]}" "${MAC[$N1]}" "$T/$N1.disk"
netboot_bios "$N2" "${TAP[$N2]}" "${MAC[$N2]}" "$T/$N2.disk"
netboot_uefi "$N3" "${TAP[$N3]}" "${MAC[$N3]}" "$T/$N3.disk"

declare -A UP=()
deadline=$(( $(date +%s) + 1200 ))
while [ "${#UP[@]}" -lt 3 ]; do
	for n in "${NAMES[@]}"; do
		[ -n "${UP[$n]:-}" ] && continue
		if tr -d '\r' <"$(qemu_log "$n")" | grep -qaE '^paddock: etcd healthy [0-9.]+'; then
			UP[$n]=$(qemu_elapsed "$n")
		elif ! kill -0 "${QEMU_PID[$n]}" 2>/dev/null; then
			qemu_wait "$n" '^paddock: etcd healthy' 1
			fail "$n: guest exited"
		fi
	done
	if [ "$(date +%s)" -ge "$deadline" ]; then
		for n in "${NAMES[@]}"; do [ -n "${UP[$n]:-}" ] || qemu_wait "$n" '^paddock: etcd healthy' 1; done
		tail -n 40 "$T/dhcp.err" >&2
		fail "not every netbooted node reported etcd healthy"
	fi
	sleep 0.5
done
quorum=0
for n in "${NAMES[@]}"; do
	log=$(tr -d '\r' <"$(qemu_log "$n")")
	# the BIOS guests' iPXE lines reach the log through sercon; OVMF's go
	# to the serial port with escape sequences: the events show its script
	[ "$n" = "$N3" ] || echo "$log" | grep -qa "paddock: iPXE booting node $n" || fail "$n: its own iPXE script did not run"
	echo "$log" | grep -qaE "^paddock: node $n\$" || fail "$n: booted without its node layer (no 'paddock: node $n')"
	echo "$log" | grep -qa '^paddock: state disk formatted and mounted' || fail "$n: blank disk not formatted"
	echo "$n: power-on to etcd healthy (netboot): ${UP[$n]} s"
	quorum=$(echo "$quorum ${UP[$n]}" | awk '{print ($2 > $1) ? $2 : $1}')
done
echo "netboot: power-on to 3-member quorum: $quorum s"

# etcd from the namespace, as test_etcd_ha checks it
ectl() { with_etcdctl_env "$T/out" lan_exec timeout 20 etcdctl --dial-timeout=5s --command-timeout=8s "$@"; }
retry() { local n=$1 i; shift; for i in $(seq 1 "$n"); do "$@" && return 0; sleep 1; done; return 1; }
eps=$(for n in "${NAMES[@]}"; do printf 'https://%s:2379,' "${ADDR[$n]}"; done)
retry 30 ectl --endpoints="${eps%,}" endpoint health || fail "etcdctl endpoint health"
members=$(retry 10 ectl --endpoints="https://${ADDR[$N1]}:2379" member list -w simple) || fail "etcdctl member list"
echo "$members" | sed 's/^/member list: /'
[ "$(echo "$members" | grep -c ', false$')" -eq 3 ] || fail "expected 3 voters"

# the event stream: every stage for every node, in boot order; and each
# stage the node reported agrees with its console: the same stages, at the
# same boot time (the console prints the seconds the report carries)
stages() { python3 - "$T/dhcp.json" "$1" <<'PY'
import json, sys
seen = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("node") == sys.argv[2] and (not seen or seen[-1] != e["stage"]):
        seen.append(e["stage"])
print(" ".join(seen))
PY
}
agree() { # NODE: the node's reports against its console
	tr -d '\r' <"$(qemu_log "$1")" | python3 -c '
import json, re, sys
node, events = sys.argv[1], sys.argv[2]
console = {"network": r"^paddock: network ok ([0-9.]+)$",
           "state-disk": r"^paddock: state disk (?:formatted and )?mounted ([0-9.]+)$",
           "system-docker": r"^paddock: System Docker ready ([0-9.]+)$",
           "etcd-member": r"^paddock: etcd started as \S+ \(.*\) ([0-9.]+)$",
           "etcd-healthy": r"^paddock: etcd healthy ([0-9.]+)$"}
lines = sys.stdin.read().splitlines()
rep = {}
for l in open(events):
    e = json.loads(l)
    if e.get("node") == node and e.get("source") == "node":
        rep.setdefault(e["stage"], e["node_ms"] / 1000.0)
bad = []
if "init" not in rep:
    bad.append("init not reported")
for st, rx in console.items():
    t = [float(m.group(1)) for m in (re.match(rx, l) for l in lines) if m]
    if not t:
        bad.append("%s: not on the console" % st)
    elif st not in rep:
        bad.append("%s: on the console at %.2f, not reported" % (st, t[0]))
    elif abs(rep[st] - t[0]) > 0.05:
        bad.append("%s: console %.2f, reported %.3f" % (st, t[0], rep[st]))
print("%s: reported %s" % (node, ", ".join("%s %.2f" % kv for kv in sorted(rep.items(), key=lambda kv: kv[1]))))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)' "$1" "$T/dhcp.json"
}
for n in "${NAMES[@]}"; do
	s=$(stages "$n")
	echo "$n stages: $s"
	want="dhcp script kernel base layer init network state-disk system-docker etcd-member etcd-healthy"
	[ "$n" = "$N3" ] && want="dhcp loader dhcp script kernel base layer init network state-disk system-docker etcd-member etcd-healthy"
	python3 - "$s" "$want" <<'PY' || fail "$n: the event stream misses stages (want, in order: $want)"
import sys
got, want = sys.argv[1].split(), sys.argv[2].split()
i = 0
for w in want:
    while i < len(got) and got[i] != w:
        i += 1
    if i == len(got):
        sys.exit(1)
PY
	agree "$n" || fail "$n: its reports do not agree with its console"
	grep -q "\"node\":\"$n\".*\"stage\":\"layer\"" "$T/dhcp.json" || fail "$n: no layer transfer in the stream"
	got=$(grep -c "refused nodes/$n.img to ${ADDR[$n]} " "$T/dhcp.err" || true)
	[ "$got" = 0 ] || fail "$n: its own layer was refused to it"
done

# a forged report: node1's name, signed with another key
body="node=$N1 boot=00000000-0000-0000-0000-000000000000 seq=999 t=1 stage=failed"
sig=$(printf '%s' "$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(printf '%064d' 7)" | awk '{print $NF}')
code=$(lan_exec curl -s --max-time 20 -o /dev/null -w '%{http_code}' -H "X-Paddock-Signature: sha256=$sig" --data-binary "$body" \
	"http://10.10.0.1:$PORT/report")
[ "$code" = 401 ] || fail "a forged report got $code, not 401"
grep -q "report from 10.10.0.1 rejected (401): report for node '$N1': bad signature" "$T/dhcp.err" ||
	fail "the forged report was not logged"
grep -q '"stage":"failed"' "$T/dhcp.json" && fail "a failed stage in the stream (the forged report?)"
echo "forged report: 401, logged"

"$PADDOCK" status "$T/out" | sed 's/^/status: /'
"$PADDOCK" status "$T/out" | grep -Eq "^$N1 +${MAC[$N1]} +${ADDR[$N1]} +(etcd healthy|role containers) " ||
	fail "paddock status does not show $N1 at etcd healthy or later"
for n in "${NAMES[@]}"; do qemu_stop "$n"; done

# node1's layer from node2's address and MAC: node2 is off, a veth in a
# second namespace on the bridge stands in for it (its lease still holds)
ip netns add "$NS2" || fail "second namespace"
ip link add vdhcp0 netns "$LAN_NS" type veth peer name vdhcp1 netns "$NS2" || fail "veth"
ip -n "$LAN_NS" link set vdhcp0 master br0 up && ip -n "$NS2" link set lo up &&
	ip -n "$NS2" link set vdhcp1 address "${MAC[$N2]}" && ip -n "$NS2" addr add "${ADDR[$N2]}/24" dev vdhcp1 &&
	ip -n "$NS2" link set vdhcp1 up || fail "veth up"
as_n2() { ip netns exec "$NS2" curl -s -o /dev/null -w '%{http_code}' --max-time 60 "http://10.10.0.1:$PORT/nodes/$1.img"; }
code=$(as_n2 "$N1")
[ "$code" = 403 ] || fail "$N1's layer to $N2's address and MAC: HTTP $code, not 403"
grep -qE "refused nodes/$N1.img to ${ADDR[$N2]} \(MAC ${MAC[$N2]}\)" "$T/dhcp.err" ||
	fail "the request for $N1's layer from $N2's address was not logged"
code=$(as_n2 "$N2")
[ "$code" = 200 ] || fail "$N2's own layer to $N2's address and MAC: HTTP $code"
echo "$N1's layer from $N2's address: 403, logged; $N2's own: 200"
serve_stop

# --- refusals on a LAN: a foreign DHCP server, a busy port, no interface -
# the foreign server: a DHCP-only dnsmasq in the second namespace
ip -n "$NS2" addr flush dev vdhcp1 && ip -n "$NS2" link set vdhcp1 down &&
	ip -n "$NS2" link set vdhcp1 address 52:54:00:00:0d:01 && ip -n "$NS2" addr add 10.10.0.2/24 dev vdhcp1 &&
	ip -n "$NS2" link set vdhcp1 up || fail "the foreign server's veth"
ip netns exec "$NS2" /usr/sbin/dnsmasq --keep-in-foreground --port=0 --interface=vdhcp1 --bind-interfaces \
	--dhcp-range=10.10.0.100,10.10.0.150,255.255.255.0,1h --dhcp-host="${MAC[$N1]},${ADDR[$N1]}" \
	--dhcp-leasefile="$T/foreign.leases" --log-facility=- --pid-file= 2>"$T/foreign.err" &
FOREIGN=$!
sleep 1
kill -0 $FOREIGN || { cat "$T/foreign.err"; fail "the foreign DHCP server did not start"; }
lan_exec timeout 60 "$PADDOCK" serve "$T/out" --interface br0 --dhcp >"$T/r.out" 2>"$T/r.err"
rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$T/r.err")" = 1 ] && grep -q 'another DHCP server answers on br0' "$T/r.err" ||
	fail "--dhcp beside a foreign DHCP server: exit $rc, $(cat "$T/r.err")"
echo "refused: $(cat "$T/r.err")"
ip netns exec "$LAN_NS" python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('10.10.0.1',$PORT)); s.listen(); time.sleep(20)" &
HOLD=$!
sleep 1
lan_exec timeout 60 "$PADDOCK" serve "$T/out" --interface br0 --port $PORT >"$T/r.out" 2>"$T/r.err"
rc=$?
kill $HOLD 2>/dev/null; wait $HOLD 2>/dev/null
[ $rc = 1 ] && grep -q "port $PORT (HTTP) on 10.10.0.1 is already taken" "$T/r.err" || fail "busy port: exit $rc, $(cat "$T/r.err")"
echo "refused: $(cat "$T/r.err")"
lan_exec timeout 60 "$PADDOCK" serve "$T/out" --interface nosuch0 >"$T/r.out" 2>"$T/r.err"
rc=$?
[ $rc = 1 ] && grep -q 'interface nosuch0: no such interface' "$T/r.err" || fail "missing interface: exit $rc"
echo "refused: $(cat "$T/r.err")"

# --- proxy mode: the foreign server hands out the addresses -------------
# node1 as a UEFI guest (OVMF's PXE, then snponly.efi's iPXE: the path
# checked against a separate DHCP server), on a fresh disk; and the
# unknown MAC, which the foreign server gives an address
serve_start proxy --proxy || fail "paddock serve --proxy did not start"
truncate -s 4G "$T/$N1.proxy.disk"
netboot_uefi "$N1-proxy" "${TAP[$N1]}" "${MAC[$N1]}" "$T/$N1.proxy.disk"
netboot_bios stranger tap9 52:54:00:00:09:09
qemu_wait stranger 'paddock: unknown MAC 52:54:00:00:09:09' 300 || fail "the unknown MAC did not get the message"
grep -q 'unknown MAC 52:54:00:00:09:09' "$T/proxy.err" || fail "the server did not log the unknown MAC"
deadline=$(( $(date +%s) + 600 ))
until grep -q "\"node\":\"$N1\".*\"stage\":\"network\".*\"source\":\"node\"" "$T/proxy.json"; do
	[ "$(date +%s)" -lt "$deadline" ] && kill -0 "${QEMU_PID[$N1-proxy]}" 2>/dev/null ||
		{ qemu_wait "$N1-proxy" '^paddock: network ok' 1; tail -n 20 "$T/proxy.err" >&2
		  fail "proxy mode: $N1 did not boot and report its network stage"; }
	sleep 1
done
qemu_wait "$N1-proxy" "^paddock: node $N1\$" 5 || fail "proxy mode: $N1 booted without its layer"
grep -q "\"node\":\"$N1\".*\"stage\":\"layer\"" "$T/proxy.json" || fail "proxy mode: no layer transfer"
grep -q "DHCPACK(vdhcp1) ${ADDR[$N1]} ${MAC[$N1]}" "$T/foreign.err" || fail "proxy mode: the address did not come from the other server"
echo "proxy mode: $N1 booted with the other server's address and reported"
# the unknown MAC: still waiting there, no layer, nothing booted
grep -q '"mac":"52:54:00:00:09:09".*"stage":"layer"' "$T/proxy.json" && fail "a layer went to the unknown MAC"
tr -d '\r' <"$(qemu_log stranger)" | grep -qaE 'iPXE booting node|^paddock: init ok' && fail "the unknown MAC booted a node"
echo "unknown MAC: message shown, nothing booted"
echo "netboot: ok"
