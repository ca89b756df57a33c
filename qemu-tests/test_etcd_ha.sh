#!/usr/bin/env bash
# The HA example's three nodes on a private LAN (lan.sh), each with a blank
# disk of its own, form a 3-member etcd cluster with TLS by themselves:
# every node formats its disk, starts the bundled etcd and reports it
# healthy, reaches `paddock: services ok` and answers on its static
# address (TCP 22) from the namespace; from the LAN's namespace Debian's
# etcdctl, with the operator's certificate from OUT/etcd/, lists three
# started voters, writes a key through node1 and reads it through node3;
# ssh -F OUT/ssh_config into node1 (its user, the host certificate checked
# strictly) shows `paddockctl status` (state disk, members) and reaches
# node2's and node3's SSH ports over the LAN.  Then node2's QEMU is
# killed: writes still succeed through node1 and node3; node2 booted again
# on the same disk mounts it (no format), rejoins as the same member (same
# ID) and reads the key written while it was away.  Meanwhile a fourth
# etcd node, added to the cluster file and built with the same state file,
# boots on a blank disk: it is added to the running cluster as a learner,
# promoted, and the cluster has four started voters; the first key reads
# through it.  All four power off cleanly.  Prints power-on to quorum,
# kill to the next successful write, node2's rejoin time, node4's
# power-on to voter and each guest's memory use.
#
# ETCD_HA_MEM (MiB, default 1024) tries another guest size.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
. qemu-tests/lan.sh
MEM=${ETCD_HA_MEM:-1024}
T=$QEMU_TMP
t_start=$(now)

command -v etcdctl >/dev/null || skip "no etcdctl (Debian's etcd-client)"
lan_create etcd 10.10.0.1/24 || skip "$LAN_ERROR"
lan_check_isolated >/dev/null || fail "$LAN_ERROR"

ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" configs/ha-3node.yml >"$T/cluster.yml"
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" --formats kernel,initrd || fail "paddock build"
"$PADDOCK" plan --json "$T/cluster.yml" >"$T/plan.json" || fail "paddock plan"
mapfile -t NODES < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1]))["nodes"]:
    if "etcd" in n["roles"]:
        print(n["name"], n["boot"]["mac"], n["address"], n["ssh_user"])' "$T/plan.json")
[ "${#NODES[@]}" -eq 3 ] || fail "expected 3 etcd nodes in the plan, got ${#NODES[@]}"
declare -A MAC=() ADDR=() USER_OF=() TAP=()
NAMES=()
for l in "${NODES[@]}"; do
	read -r n m a u <<<"$l"
	NAMES+=("$n") MAC[$n]=$m ADDR[$n]=$a USER_OF[$n]=$u
done
[ -f "$T/out/etcd/etcdctl.env" ] || fail "no etcd/etcdctl.env in the output"

# etcdctl from the namespace with the operator's files (paths relative to
# OUT); etcdctl 3.4 refuses --endpoints beside ETCDCTL_ENDPOINTS, so the
# file's endpoints give way to an explicit --endpoints
ectl() { with_etcdctl_env "$T/out" lan_exec timeout 20 etcdctl --dial-timeout=5s --command-timeout=8s "$@"; }
endpoint() { echo "https://${ADDR[$1]}:2379"; }
# retry N CMD...: CMD until it succeeds, at most N times a second apart
# (TCG guests on a busy host answer slowly); retry_every SECS N CMD...
retry() { retry_every 1 "$@"; }
retry_every() {
	local secs=$1 n=$2 i
	shift 2
	for i in $(seq 1 "$n"); do "$@" && return 0; sleep "$secs"; done
	return 1
}

boot() { # boot NAME RUN-NAME [OUT]: the node's kernel, initramfs and disk
	local o=${3:-$T/out}
	lan_qemu_start "$2" "${TAP[$1]}" "${MAC[$1]}" -m "$MEM" -kernel "$o/$1/vmlinuz" \
		-initrd "$o/$1/initrd.img" -append "$(cat "$o/$1/cmdline")" \
		-drive "file=$T/$1.disk,if=virtio,format=raw" || fail "$1: qemu did not start"
}

i=0
for n in "${NAMES[@]}"; do
	i=$((i + 1))
	TAP[$n]=tap$i
	lan_tap "${TAP[$n]}" || fail "$LAN_ERROR"
	truncate -s 4G "$T/$n.disk" || fail "disk image"
done
# the fourth etcd node, added to the cluster file later
N4=node4
MAC[$N4]=52:54:00:00:02:04 ADDR[$N4]=10.10.0.14 TAP[$N4]=tap4
lan_tap tap4 || fail "$LAN_ERROR"
truncate -s 4G "$T/$N4.disk" || fail "disk image"
for n in "${NAMES[@]}"; do boot "$n" "$n"; done

# each node's "etcd healthy", at the host's time of the line
declare -A UP=()
deadline=$(( $(date +%s) + 900 ))
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
		fail "not every node reported etcd healthy"
	fi
	sleep 0.5
done
quorum=0
for n in "${NAMES[@]}"; do
	log=$(tr -d '\r' <"$(qemu_log "$n")")
	echo "$log" | grep -qa '^paddock: state disk formatted and mounted' || fail "$n: the blank disk was not formatted"
	echo "$log" | grep -qa "^paddock: etcd started as etcd-$n (new cluster)" || fail "$n: etcd not started as a new member"
	echo "$log" | grep -aE '^paddock: (state disk|etcd) ' | sed "s/^/$n: /"
	echo "$n: power-on to etcd healthy: ${UP[$n]} s"
	quorum=$(echo "$quorum ${UP[$n]}" | awk '{print ($2 > $1) ? $2 : $1}')
done
echo "power-on to 3-member quorum: $quorum s (the last node's etcd healthy; all three powered on together)"

# node4 added to the cluster file, built with the same state file while
# the checks below run
python3 - "$T/cluster.yml" <<'PY' || fail "adding node4 to the cluster file"
import sys
p = sys.argv[1]
s = open(p).read()
node4 = """  - address: 10.10.0.14
    hostname_override: node4
    user: rancher
    role: [etcd]
    paddock:
      mac: "52:54:00:00:02:04"
      network:
        address: 10.10.0.14/24
"""
assert "\nservices:" in s
open(p, "w").write(s.replace("\nservices:", "\n" + node4 + "\nservices:", 1))
PY
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out4" --formats kernel,initrd >"$T/build4.log" 2>&1 &
B4=$!
trap 'kill $B4 2>/dev/null; qemu_cleanup; lan_cleanup' EXIT

# every node's services, and its SSH port on its own address.  A service
# that failed on the way and was restarted (a Docker API timeout on a
# loaded host) is listed, not fatal: restarting it is supervision's job.
for n in "${NAMES[@]}"; do
	qemu_wait "$n" '^paddock: services ok [0-9.]+' 240 || fail "$n: services stage not ok"
	for s in syslog ntp sshd docker; do
		qemu_wait "$n" "^paddock: service $s running [0-9.]+" 1 >/dev/null || fail "$n: service $s not running"
	done
	tr -d '\r' <"$(qemu_log "$n")" | grep -a '^paddock: .*FAILED' | sed "s/^/$n: on the way: /"
	# the os-services' images load once etcd is healthy, not during its election
	order=$(tr -d '\r' <"$(qemu_log "$n")" | grep -aoE '^paddock: (etcd healthy|image 10-system.tar loaded)' |
		sed -n 1p)
	[ "$order" = "paddock: etcd healthy" ] || fail "$n: the os-services' images loaded before etcd was healthy"
	echo "$n: services ok at $(tr -d '\r' <"$(qemu_log "$n")" | grep -aoE '^paddock: services ok [0-9.]+' |
		awk '{print $4}') s (guest clock)"
	retry_every 2 15 lan_exec timeout 5 bash -c ": </dev/tcp/${ADDR[$n]}/22" 2>/dev/null ||
		fail "$n: nothing listens on ${ADDR[$n]}:22"
done
echo "every node answers on TCP 22 on the LAN"

eps="$(endpoint "${NAMES[0]}"),$(endpoint "${NAMES[1]}"),$(endpoint "${NAMES[2]}")"
retry 30 ectl --endpoints="$eps" endpoint health || fail "etcdctl endpoint health"
members=$(retry 10 ectl --endpoints="$(endpoint "${NAMES[0]}")" member list -w simple) || fail "etcdctl member list"
echo "$members" | sed 's/^/member list: /'
[ "$(echo "$members" | grep -c ', started, ')" -eq 3 ] || fail "expected 3 started members"
[ "$(echo "$members" | grep -c ', false$')" -eq 3 ] || fail "expected 3 voters (isLearner false)"
for n in "${NAMES[@]}"; do
	echo "$members" | grep -q ", started, etcd-$n, https://${ADDR[$n]}:2380, https://${ADDR[$n]}:2379, false" ||
		fail "member etcd-$n with its peer and client URLs"
done
ID2=$(echo "$members" | awk -F', ' -v n="etcd-${NAMES[1]}" '$3 == n {print $1}')

retry 10 ectl --endpoints="$(endpoint "${NAMES[0]}")" put /paddock/test/first "written via ${NAMES[0]}" >/dev/null ||
	fail "put via ${NAMES[0]}"
got=$(retry 10 ectl --endpoints="$(endpoint "${NAMES[2]}")" get --print-value-only /paddock/test/first) ||
	fail "get via ${NAMES[2]}"
[ "$got" = "written via ${NAMES[0]}" ] || fail "read '$got' via ${NAMES[2]}"
echo "key written via ${NAMES[0]}, read via ${NAMES[2]}: '$got'"

# plain http is refused: TLS only, with a client certificate
if lan_exec timeout 10 etcdctl --dial-timeout=3s --endpoints="http://${ADDR[${NAMES[0]}]}:2379" get x >/dev/null 2>&1; then
	fail "etcd answered plain http"
fi
if (cd "$T/out" && lan_exec timeout 10 etcdctl --dial-timeout=3s --cacert=etcd/ca.pem \
	--endpoints="$(endpoint "${NAMES[0]}")" get x) >/dev/null 2>&1; then
	fail "etcd answered a client without a certificate"
fi
echo "etcd refuses plain http and clients without a certificate"

# node1 over SSH as the operator does it, from the namespace: out/ssh_config
# (the node's user, its address, the host key checked strictly against
# out/known_hosts by the host certificate)
first=${NAMES[0]}
gssh() {
	(cd "$T" && lan_exec timeout 60 ssh -F out/ssh_config -o BatchMode=yes -o ConnectTimeout=20 \
		-o LogLevel=ERROR "$first" "$@")
}
retry_every 2 15 gssh true 2>/dev/null || fail "ssh -F out/ssh_config $first"
login=$(gssh 'id -un') || fail "ssh -F out/ssh_config $first"
[ "$login" = "${USER_OF[$first]}" ] || fail "logged into $first as '$login', not ${USER_OF[$first]}"
echo "ssh -F out/ssh_config $first: logged in as $login, host certificate checked strictly"
for n in "${NAMES[@]:1}"; do
	banner=$(gssh "sleep 3 | nc -w 5 ${ADDR[$n]} 22 | head -c 8") || true
	[ "$banner" = "SSH-2.0-" ] || fail "$first cannot reach $n's SSH port (${ADDR[$n]}:22): '$banner'"
	echo "$first reaches $n (${ADDR[$n]}) over the LAN"
done

# paddockctl status on node1: the disk, the stage, the members
# the file is written every 10 s; a busy guest may miss a health check
status_ok() {
	status=$(gssh paddockctl status) &&
		echo "$status" | grep -qE '^state disk: (formatted|mounted) /dev/vda1' &&
		echo "$status" | grep -q '^provisioner: etcd healthy' &&
		[ "$(echo "$status" | grep -cE ' https://10\.10\.0\.1[123]:2380 +voter .* healthy$')" -eq 3 ] &&
		echo "$status" | grep -qE ' leader +healthy$'
}
status=
retry_every 10 6 status_ok || { echo "$status" | sed "s/^/$first status: /"; fail "paddockctl status: state disk, provisioner stage, three healthy voters, a leader"; }
echo "$status" | sed -n '/^state disk/,$p' | sed "s/^/$first status: /"
gssh free -m | sed "s/^/$first free -m: /"

# node2 killed: the other two keep a quorum
second=${NAMES[1]}
kill -9 "${QEMU_PID[$second]}"
wait "${QEMU_PID[$second]}" 2>/dev/null
unset "QEMU_PID[$second]"
t_kill=$(now)
ok=
for try in $(seq 1 60); do
	if ectl --endpoints="$(endpoint "${NAMES[0]}")" put /paddock/test/while-away "node2 gone" 2>/dev/null | grep -q OK; then
		ok=1
		break
	fi
	sleep 1
done
[ -n "$ok" ] || fail "no write via ${NAMES[0]} with $second gone"
echo "kill of $second to the next successful write: $(echo "$(now) $t_kill" | awk '{printf "%.1f", $1 - $2}') s"
retry 10 ectl --endpoints="$(endpoint "${NAMES[2]}")" put /paddock/test/via3 "node2 gone" >/dev/null ||
	fail "put via ${NAMES[2]} with $second gone"
echo "writes succeed via ${NAMES[0]} and ${NAMES[2]} with $second gone"

# node2 again, on the same disk: the same member, and it sees the keys;
# node4 boots meanwhile
boot "$second" "$second-again"
wait "$B4" || { cat "$T/build4.log"; fail "paddock build with node4"; }
[ -f "$T/out4/$N4/initrd.img" ] || fail "no $N4 in the build with node4"
boot "$N4" "$N4" "$T/out4"
qemu_wait "$second-again" '^paddock: etcd healthy [0-9.]+' 600 || fail "$second: etcd not healthy after the restart"
log=$(tr -d '\r' <"$(qemu_log "$second-again")")
echo "$log" | grep -qa '^paddock: state disk mounted' || fail "$second: its disk was not mounted as it was"
echo "$log" | grep -qa 'formatting' && fail "$second: its disk was formatted again"
echo "$log" | grep -qa "^paddock: etcd started as etcd-$second (existing member)" || fail "$second: not the same member"
members=$(retry 10 ectl --endpoints="$(endpoint "$second")" member list -w simple) || fail "member list via $second"
echo "$members" | grep -q ", started, etcd-$second, " || fail "after the rejoin: $second not started"
[ "$(echo "$members" | awk -F', ' -v n="etcd-$second" '$3 == n {print $1}')" = "$ID2" ] ||
	fail "$second came back with another member ID"
got=$(retry 10 ectl --endpoints="$(endpoint "$second")" get --print-value-only /paddock/test/while-away) ||
	fail "get via $second"
[ "$got" = "node2 gone" ] || fail "$second reads '$got' for the key written while it was away"
echo "$second rejoined as member $ID2 and reads the key written while it was away"

# node4: added as a learner, promoted, four started voters
qemu_wait "$N4" '^paddock: etcd: learner [0-9a-f]+ promoted to voter' 600 || fail "$N4: not promoted"
up4=$(qemu_elapsed "$N4")
log=$(tr -d '\r' <"$(qemu_log "$N4")")
echo "$log" | grep -aE '^paddock: (state disk|etcd)' | sed "s/^/$N4: /"
echo "$log" | grep -qaE '^paddock: etcd: added to the running cluster as learner [0-9a-f]+$' ||
	fail "$N4: not added as a learner"
echo "$log" | grep -qa "^paddock: etcd started as etcd-$N4 (added member, learner)" || fail "$N4: not started as the added learner"
echo "$N4: power-on to promoted voter: $up4 s"
four_voters() {
	members=$(ectl --endpoints="$(endpoint "${NAMES[0]}")" member list -w simple) &&
		[ "$(echo "$members" | grep -c ', started, .*, false$')" -eq 4 ]
}
retry 10 four_voters || { echo "$members" | sed 's/^/member list: /'; fail "expected 4 started voters"; }
echo "$members" | sed 's/^/member list: /'
echo "$members" | grep -q ", started, etcd-$N4, https://${ADDR[$N4]}:2380, https://${ADDR[$N4]}:2379, false" ||
	fail "member etcd-$N4 with its peer and client URLs"
got=$(retry 10 ectl --endpoints="$(endpoint "$N4")" get --print-value-only /paddock/test/first) || fail "get via $N4"
[ "$got" = "written via ${NAMES[0]}" ] || fail "read '$got' via $N4"
echo "$N4 joined as a learner, was promoted (four voters) and reads the first key"

for n in "${NAMES[0]}" "$second-again" "${NAMES[2]}" "$N4"; do
	echo "$n: QEMU RSS $(( $(ps -o rss= -p "${QEMU_PID[$n]}") / 1024 )) MiB (-m $MEM)"
done
qemu_powerdown_clean "${NAMES[0]}" "$second-again" "${NAMES[2]}" "$N4"
lan_check_isolated >/dev/null || fail "after the run: $LAN_ERROR"
echo "wall time: $(echo "$(now) $t_start" | awk '{printf "%.0f", $1 - $2}') s"
echo "PASS: three nodes formed a TLS etcd cluster on blank disks; a killed member rejoined as itself; a fourth joined as a learner and was promoted"
