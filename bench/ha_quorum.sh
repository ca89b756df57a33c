#!/usr/bin/env bash
# The HA example's three etcd nodes on a private LAN (qemu-tests/lan.sh),
# each with a blank disk, all powered on together.  Prints (figures, never
# pass/fail on speed):
#   - power-on -> 3-member quorum: until etcdctl from the LAN finds all
#     three endpoints healthy and a member list of three started voters
#     (goal under TCG: <= 45 s), and each node's own "etcd healthy" line;
#   - kill of the leader's QEMU -> the next successful write through
#     another node (etcdctl, one try a second);
#   - RAM in use on an etcd node once healthy (MemTotal - MemAvailable from
#     the guest's /proc/meminfo over SSH; goal <= 1 GiB), and each QEMU's RSS;
#   - where a node's boot went (its console's stage lines).
# Needs root (network namespace, taps) and Debian's etcdctl; says SKIP and
# exits 77 without them (lib.sh's skip; `make bench` goes on).  HA_MEM
# (MiB, default 1024) tries another guest size.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PADDOCK=${PADDOCK:-$BUILD/paddock}
. qemu-tests/lib.sh
. qemu-tests/lan.sh
MEM=${HA_MEM:-1024}
T=$QEMU_TMP
since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

command -v etcdctl >/dev/null || skip "no etcdctl (Debian's etcd-client)"
lan_create bench 10.10.0.1/24 || skip "$LAN_ERROR"
lan_check_isolated >/dev/null || fail "$LAN_ERROR"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

ssh-keygen -q -t ed25519 -N '' -C paddock-bench -f "$T/id" || fail "ssh-keygen"
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" configs/ha-3node.yml >"$T/cluster.yml"
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" --formats kernel,initrd || fail "paddock build"
"$PADDOCK" plan --json "$T/cluster.yml" >"$T/plan.json" || fail "paddock plan"
lan_plan_read "$T/plan.json" etcd
[ "${#NAMES[@]}" -eq 3 ] || fail "expected 3 etcd nodes in the plan, got ${#NAMES[@]}"
declare -A UP=()

# etcdctl from the namespace with the operator's files; an explicit
# --endpoints replaces the env file's (etcdctl 3.4 refuses both)
ectl() { with_etcdctl_env "$T/out" lan_exec timeout 10 etcdctl --dial-timeout=2s --command-timeout=4s "$@"; }
endpoint() { echo "https://${ADDR[$1]}:2379"; }
EPS="$(endpoint "${NAMES[0]}"),$(endpoint "${NAMES[1]}"),$(endpoint "${NAMES[2]}")"
quorum_ok() {
	ectl --endpoints="$EPS" endpoint health >/dev/null 2>&1 &&
		[ "$(ectl --endpoints="$EPS" member list -w simple 2>/dev/null | grep -c ', started, .*, false$')" -eq 3 ]
}

# all three powered on together, each on its tap with a blank disk
t_on=$(now)
i=0
for n in "${NAMES[@]}"; do
	i=$((i + 1))
	lan_tap "tap$i" && truncate -s 4G "$T/$n.disk" || fail "tap or disk: $LAN_ERROR"
	lan_node_start "$n" "$T/out" "$n" "tap$i" "${MAC[$n]}" "$T/$n.disk" -m "$MEM" || fail "$n: qemu did not start"
done

deadline=$(( $(date +%s) + 900 ))
quorum=
while [ -z "$quorum" ]; do
	for n in "${NAMES[@]}"; do
		[ -z "${UP[$n]:-}" ] && tr -d '\r' <"$(qemu_log "$n")" | grep -qaE '^paddock: etcd healthy [0-9.]+' &&
			UP[$n]=$(qemu_elapsed "$n")
		kill -0 "${QEMU_PID[$n]}" 2>/dev/null || { qemu_wait "$n" '^paddock: etcd healthy' 1; fail "$n: guest exited"; }
	done
	[ "${#UP[@]}" -gt 0 ] && quorum_ok && quorum=$(since "$t_on")
	[ "$(date +%s)" -lt "$deadline" ] || fail "no 3-member quorum within 900 s"
	[ -n "$quorum" ] || sleep 1
done
# a node whose line came after the quorum was seen
for n in "${NAMES[@]}"; do
	[ -n "${UP[$n]:-}" ] || ! qemu_wait "$n" '^paddock: etcd healthy [0-9.]+' 60 >/dev/null ||
		UP[$n]=$(qemu_elapsed "$n")
done
for n in "${NAMES[@]}"; do
	echo "$n: console: $(tr -d '\r' <"$(qemu_log "$n")" | grep -aoE '^paddock: (init ok|network ok|state disk formatted and mounted|System Docker ready|image [^ ]+ loaded in [0-9.]+ s|etcd started as [^ ]+|etcd healthy|services ok) [0-9.]+' |
		sed -E 's/^paddock: //; s/ (\(new cluster\)|as [^ ]+)//' | paste -sd ';' | sed 's/;/; /g')"
done
echo "power-on -> 3-member quorum (etcdctl: 3 healthy endpoints, 3 started voters): $quorum s"
echo "power-on -> each node's 'etcd healthy' line: $(for n in "${NAMES[@]}"; do printf '%s %s s  ' "$n" "${UP[$n]:-?}"; done)"

# RAM in use on an etcd node once healthy, from the guest
# (sshd is an os-service: on an etcd node it starts after etcd is healthy)
first=${NAMES[0]}
qemu_wait "$first" '^paddock: service sshd running [0-9.]+' 300 >/dev/null || echo "$first: sshd not running"
if lan_ssh_login "$T/id" "${ADDR[$first]}" root "${USER_OF[$first]}"; then
	lan_ssh cat /proc/meminfo | awk -v n="$first" '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 }
		END { printf "%s: RAM in use once healthy: %d MiB (MemTotal %d MiB - MemAvailable %d MiB; -m '"$MEM"')\n", n, (t - a) / 1024, t / 1024, a / 1024 }'
else
	echo "$first: no SSH login: RAM in use not measured"
fi
for n in "${NAMES[@]}"; do
	echo "$n: QEMU RSS $(( $(ps -o rss= -p "${QEMU_PID[$n]}") / 1024 )) MiB (-m $MEM)"
done

# the leader's QEMU killed: the next write through another node
leader_ep=$(ectl --endpoints="$EPS" endpoint status -w simple 2>/dev/null | awk -F', ' '$5 == "true" { print $1 }')
victim=
for n in "${NAMES[@]}"; do [ "$(endpoint "$n")" = "$leader_ep" ] && victim=$n; done
[ -n "$victim" ] || { victim=${NAMES[1]}; echo "no leader found in endpoint status; killing $victim"; }
for n in "${NAMES[@]}"; do [ "$n" != "$victim" ] && other=$n && break; done
qemu_stop "$victim" # SIGTERM: QEMU ends at once, the guest does not shut down
unset "QEMU_PID[$victim]"
t_kill=$(now)
until ectl --endpoints="$(endpoint "$other")" put /paddock/bench/after-kill x 2>/dev/null | grep -q OK; do
	[ "$(since "$t_kill" | cut -d. -f1)" -lt 120 ] || fail "no write through $other within 120 s of the kill of $victim"
	sleep 1
done
echo "kill of the leader ($victim) -> next successful write through $other: $(since "$t_kill") s"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
