#!/usr/bin/env bash
# The HA example's three nodes on a private LAN (qemu-tests/lan.sh: a
# bridge with a tap per guest in a network namespace of this run's own):
# built with a test SSH key, each node boots its own kernel, initramfs and
# command line with its MAC, reaches `paddock: services ok`, and answers
# on its static address from the namespace (TCP 22); node1 reaches
# node2 and node3 over the LAN (ssh -F out/ssh_config into node1, as its
# user, strictly checked; the others' SSH ports from there).  All
# three power off cleanly.  Prints power-on to services ok per node, the
# guests' memory in use, QEMU's RSS and the wall time.
#
# Guests get 1 GiB each, the issue's RAM goal for an etcd node; LAN_HA_MEM
# (MiB) tries another size.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
. qemu-tests/lan.sh
skip() { echo "SKIP: $*"; exit 77; }
SERVICES="syslog ntp sshd docker"
MEM=${LAN_HA_MEM:-1024}
T=$QEMU_TMP
t_start=$(now)

lan_create ha 10.10.0.1/24 || skip "$LAN_ERROR"
lan_check_isolated || fail "$LAN_ERROR"

ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" configs/ha-3node.yml >"$T/cluster.yml"
grep -q "^ssh_key_path: $T/id\$" "$T/cluster.yml" || fail "no ssh_key_path in configs/ha-3node.yml"
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" --formats kernel,initrd || fail "paddock build"

# name, MAC, address and login user of each node, from the plan
"$PADDOCK" plan --json "$T/cluster.yml" >"$T/plan.json" || fail "paddock plan"
mapfile -t NODES < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1]))["nodes"]:
    print(n["name"], n["boot"]["mac"], n["address"], n["ssh_user"])' "$T/plan.json")
[ "${#NODES[@]}" -eq 3 ] || fail "expected 3 nodes in the plan, got ${#NODES[@]}"
declare -A MAC=() ADDR=() USER_OF=()
NAMES=()
for l in "${NODES[@]}"; do
	read -r n m a u <<<"$l"
	NAMES+=("$n") MAC[$n]=$m ADDR[$n]=$a USER_OF[$n]=$u
done

i=0
for n in "${NAMES[@]}"; do
	i=$((i + 1))
	lan_tap "tap$i" || fail "$LAN_ERROR"
	lan_qemu_start "$n" "tap$i" "${MAC[$n]}" -m "$MEM" -kernel "$T/out/$n/vmlinuz" \
		-initrd "$T/out/$n/initrd.img" -append "$(cat "$T/out/$n/cmdline")" || fail "$n: qemu did not start"
done

# all three at once: the host's time of each node's marker, not of the wait
declare -A UP=()
deadline=$(( $(date +%s) + 420 ))
while [ "${#UP[@]}" -lt 3 ]; do
	for n in "${NAMES[@]}"; do
		[ -n "${UP[$n]:-}" ] && continue
		if tr -d '\r' <"$(qemu_log "$n")" | grep -qaE '^paddock: services ok [0-9.]+'; then
			UP[$n]=$(qemu_elapsed "$n")
		elif tr -d '\r' <"$(qemu_log "$n")" | grep -qaE '^paddock: .*FAILED'; then
			qemu_wait_services "$n" "$SERVICES"
		elif ! kill -0 "${QEMU_PID[$n]}" 2>/dev/null; then
			qemu_wait "$n" '^paddock: services ok' 1
			fail "$n: guest exited"
		fi
	done
	if [ "$(date +%s)" -ge "$deadline" ]; then
		for n in "${NAMES[@]}"; do [ -n "${UP[$n]:-}" ] || qemu_wait "$n" '^paddock: services ok' 1; done
		fail "not every node reached services ok"
	fi
	sleep 0.5
done
for n in "${NAMES[@]}"; do
	qemu_wait_services "$n" "$SERVICES" >/dev/null
	echo "$n: power-on to services ok: ${UP[$n]} s (guest clock: $(tr -d '\r' <"$(qemu_log "$n")" |
		grep -aoE '^paddock: services ok [0-9.]+' | awk '{print $4}') s)"
done

# from the namespace: every node answers on its own address
for n in "${NAMES[@]}"; do
	a=${ADDR[$n]}
	ok=
	for try in $(seq 1 15); do lan_exec timeout 5 bash -c ": </dev/tcp/$a/22" 2>/dev/null && ok=1 && break; sleep 2; done
	[ -n "$ok" ] || fail "$n: nothing listens on $a:22"
	echo "$n: $a answers on TCP 22 on the LAN"
done

# node1 over SSH as the operator does it, from the namespace: out/ssh_config
# (the node's user, its address, the host key checked strictly against
# out/known_hosts by the host certificate); it reaches the others' SSH
# ports over the LAN, and tells how much memory it uses
first=${NAMES[0]}
gssh() {
	(cd "$T" && lan_exec timeout 60 ssh -F out/ssh_config -o BatchMode=yes -o ConnectTimeout=20 \
		-o LogLevel=ERROR "$first" "$@")
}
for try in $(seq 1 15); do gssh true 2>/dev/null && break; sleep 2; done
login=$(gssh 'id -un') || fail "ssh -F out/ssh_config $first"
[ "$login" = "${USER_OF[$first]}" ] || fail "logged into $first as '$login', not ${USER_OF[$first]}"
echo "ssh -F out/ssh_config $first: logged in as $login, host certificate checked strictly"
for n in "${NAMES[@]:1}"; do
	banner=$(gssh "sleep 3 | nc -w 5 ${ADDR[$n]} 22 | head -c 8") || true
	[ "$banner" = "SSH-2.0-" ] || fail "$first cannot reach $n's SSH port (${ADDR[$n]}:22): '$banner'"
	echo "$first reaches $n (${ADDR[$n]}) over the LAN"
done
gssh free -m | sed "s/^/$first free -m: /" || echo "$first: free -m did not answer"

for n in "${NAMES[@]}"; do
	echo "$n: QEMU RSS $(( $(ps -o rss= -p "${QEMU_PID[$n]}") / 1024 )) MiB (-m $MEM)"
done
qemu_powerdown_clean "${NAMES[@]}"
lan_check_isolated >/dev/null || fail "after the run: $LAN_ERROR"
echo "wall time: $(echo "$(now) $t_start" | awk '{printf "%.0f", $1 - $2}') s"
echo "PASS: three HA nodes on a private LAN: services ok, reachable, powered off"
