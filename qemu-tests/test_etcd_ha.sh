#!/usr/bin/env bash
# The HA example's three nodes on a private LAN (lan.sh), each with a blank
# disk of its own, form a 3-member etcd cluster with TLS by themselves:
# every node formats its disk, starts the bundled etcd and reports it
# healthy; from the LAN's namespace Debian's etcdctl, with the operator's
# certificate from OUT/etcd/, lists three started voters, writes a key
# through node1 and reads it through node3; `paddockctl status` on node1
# shows the state disk and the members.  Then node2's QEMU is killed:
# writes still succeed through node1 and node3; node2 booted again on the
# same disk mounts it (no format), rejoins as the same member (same ID)
# and reads the key written while it was away.  All three power off
# cleanly.  Prints power-on to quorum, kill to the next successful write,
# node2's rejoin time and each guest's memory use.
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
ectl() {
	(cd "$T/out" && set -a && . etcd/etcdctl.env && set +a &&
		case " $* " in *" --endpoints="*) unset ETCDCTL_ENDPOINTS ;; esac &&
		lan_exec timeout 20 etcdctl --dial-timeout=5s --command-timeout=8s "$@")
}
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

boot() { # boot NAME RUN-NAME: the node's kernel, initramfs and disk
	lan_qemu_start "$2" "${TAP[$1]}" "${MAC[$1]}" -m "$MEM" -kernel "$T/out/$1/vmlinuz" \
		-initrd "$T/out/$1/initrd.img" -append "$(cat "$T/out/$1/cmdline")" \
		-drive "file=$T/$1.disk,if=virtio,format=raw" || fail "$1: qemu did not start"
}

i=0
for n in "${NAMES[@]}"; do
	i=$((i + 1))
	TAP[$n]=tap$i
	lan_tap "${TAP[$n]}" || fail "$LAN_ERROR"
	truncate -s 4G "$T/$n.disk" || fail "disk image"
done
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

# paddockctl status on node1: the disk, the stage, the members
first=${NAMES[0]}
lan_ssh_login "$T/id" "${ADDR[$first]}" root "${USER_OF[$first]}" || fail "ssh into $first"
# the file is written every 10 s; a busy guest may miss a health check
status_ok() {
	status=$(lan_ssh paddockctl status) &&
		echo "$status" | grep -qE '^state disk: (formatted|mounted) /dev/vda1' &&
		echo "$status" | grep -q '^provisioner: etcd healthy' &&
		[ "$(echo "$status" | grep -cE ' https://10\.10\.0\.1[123]:2380 +voter .* healthy$')" -eq 3 ] &&
		echo "$status" | grep -qE ' leader +healthy$'
}
status=
retry_every 10 6 status_ok || { echo "$status" | sed "s/^/$first status: /"; fail "paddockctl status: state disk, provisioner stage, three healthy voters, a leader"; }
echo "$status" | sed -n '/^state disk/,$p' | sed "s/^/$first status: /"
lan_ssh free -m | sed "s/^/$first free -m: /"

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

# node2 again, on the same disk: the same member, and it sees the keys
boot "$second" "$second-again"
qemu_wait "$second-again" '^paddock: etcd healthy [0-9.]+' 600 || fail "$second: etcd not healthy after the restart"
log=$(tr -d '\r' <"$(qemu_log "$second-again")")
echo "$log" | grep -qa '^paddock: state disk mounted' || fail "$second: its disk was not mounted as it was"
echo "$log" | grep -qa 'formatting' && fail "$second: its disk was formatted again"
echo "$log" | grep -qa "^paddock: etcd started as etcd-$second (existing member)" || fail "$second: not the same member"
members=$(retry 10 ectl --endpoints="$(endpoint "$second")" member list -w simple) || fail "member list via $second"
[ "$(echo "$members" | grep -c ', started, ')" -eq 3 ] || fail "after the rejoin: 3 started members"
[ "$(echo "$members" | awk -F', ' -v n="etcd-$second" '$3 == n {print $1}')" = "$ID2" ] ||
	fail "$second came back with another member ID"
got=$(retry 10 ectl --endpoints="$(endpoint "$second")" get --print-value-only /paddock/test/while-away) ||
	fail "get via $second"
[ "$got" = "node2 gone" ] || fail "$second reads '$got' for the key written while it was away"
echo "$second rejoined as member $ID2 and reads the key written while it was away"

for n in "${NAMES[0]}" "$second-again" "${NAMES[2]}"; do
	echo "$n: QEMU RSS $(( $(ps -o rss= -p "${QEMU_PID[$n]}") / 1024 )) MiB (-m $MEM)"
done
qemu_powerdown_clean "${NAMES[0]}" "$second-again" "${NAMES[2]}"
lan_check_isolated >/dev/null || fail "after the run: $LAN_ERROR"
echo "wall time: $(echo "$(now) $t_start" | awk '{printf "%.0f", $1 - $2}') s"
echo "PASS: three nodes formed a TLS etcd cluster on blank disks; a killed member rejoined as itself"
