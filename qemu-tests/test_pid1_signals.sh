#!/usr/bin/env bash
# PID 1 does what it is asked, at once, whatever clients do: on the
# single-node example (built with a test SSH key, as test_appliance.sh does)
#   - a client holding the control sockets open without finishing a request
#     (one silent, one trickling bytes) does not delay `system_powerdown`:
#     PID 1 takes the press within 5 s and powers off in the usual time;
#   - `kill -TERM 1` reboots (the init marker shows twice), as busybox init;
#   - `kill -USR2 1` powers off; that power-off is the usual time above;
#   - /init links libc alone.
#   - `paddockctl status` and `logs` reach the containers (paddock-services).
# SSH logs in as the node's user (rancher); what needs root (signals to
# PID 1, clients on its root-only sockets) is typed into a root shell on
# the console (paddock.shell: the example allows a debug shell).
# Prints boot-to-services and power-off times.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
T=$QEMU_TMP
NODE=paddock-single

# /init: libc and nothing else (the loader and the vDSO come with libc)
INIT=$BUILD/initrd/init
[ -x "$INIT" ] || fail "$INIT: not built"
extra=$(ldd "$INIT" 2>&1 | awk '/not a dynamic executable/ { next } { print $1 }' |
	grep -vE '^(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|libc\.so\.6)$')
[ -z "$extra" ] || fail "/init links more than libc: $(echo $extra)"
echo "ldd /init: libc alone"

ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
${CC:-cc} -O2 -static -o "$T/slow_client" qemu-tests/slow_client.c || fail "slow_client"
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" -e 's|^  formats:.*|  formats: [kernel]|' \
	configs/single-node.yml >"$T/cluster.yml"
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" || fail "paddock build"
cat "$T/out/base.img" "$T/out/$NODE/node.img" >"$T/initrd.img"
CMDLINE="$(cat "$T/out/$NODE/cmdline") paddock.shell"

# count NAME REGEX: how many console lines match
count() { tr -d '\r' <"$(qemu_log "$1")" | grep -acE -- "$2"; }

# wait_count NAME REGEX N TIMEOUT: waits until N console lines match
wait_count() {
	local i
	for i in $(seq 1 $(( $4 * 5 ))); do
		[ "$(count "$1" "$2")" -ge "$3" ] && { echo "$1: '$2' x$3 after $(qemu_elapsed "$1") s"; return 0; }
		kill -0 "${QEMU_PID[$1]}" 2>/dev/null || break
		sleep 0.2
	done
	echo "$1: not $3 times '$2'; console tail:" >&2
	tail -n 40 "$(qemu_log "$1")" >&2
	return 1
}

# since T0: the seconds from T0 (date +%s.%N) to now
since() { echo "$(date +%s.%N) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

# the seconds of the Nth console line matching "^paddock: TEXT <seconds>"
marker_secs() { tr -d '\r' <"$(qemu_log "$1")" | grep -aE "^paddock: $2 [0-9.]+\$" | sed -n "$3p" | awk '{ print $NF }'; }

boot() {
	local port=$2
	qemu_start "$1" -m 1536 -kernel "$T/out/$NODE/vmlinuz" -initrd "$T/initrd.img" -append "$CMDLINE" \
		-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01 || fail "qemu did not start"
}

# up NAME N: the Nth boot of NAME reaches its services and answers SSH
up() {
	wait_count "$1" '^paddock: init ok [0-9.]+$' "$2" 90 || fail "$1: no init marker (boot $2)"
	wait_count "$1" '^paddock: services ok [0-9.]+$' "$2" 300 || fail "$1: services not up (boot $2)"
	echo "$1: boot $2: services ok $(marker_secs "$1" 'services ok' "$2") s after power-on"
	for i in $(seq 1 30); do gssh "$1" true 2>/dev/null && return 0; sleep 2; done
	fail "$1: no SSH (boot $2)"
}

declare -A PORTS
gssh() {
	local name=$1
	shift
	ssh -i "$T/id" -p "${PORTS[$name]}" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=20 -o LogLevel=ERROR rancher@127.0.0.1 "$@"
}

# 1. power button with slow clients on the control sockets
PORTS[a]=$(free_port)
boot a "${PORTS[a]}"
up a 1
# paddockctl reaches both init and paddock-services
gssh a paddockctl status | grep -qE '^sshd +running +0 +[0-9]+ +[0-9.]+ +running$' ||
	fail "paddockctl status: sshd's container not running"
[ -n "$(gssh a paddockctl logs sshd -n 5)" ] || fail "paddockctl logs sshd: nothing"
# into the sshd container's /tmp, run by root on the console from there
gssh a 'cat >/tmp/slow_client && chmod 0755 /tmp/slow_client' <"$T/slow_client" || fail "copy slow_client"
qemu_console a 'sc=/proc/$(pidof sshd | tr " " "\n" | sort -n | head -n 1)/root/tmp/slow_client; setsid $sc /run/paddock/init.sock /run/paddock/services.sock </dev/null >/dev/null 2>&1 & echo "slow-client-started $?"'
qemu_wait a '^slow-client-started 0' 30 >/dev/null || fail "start slow_client"
sleep 5 # let it connect and start trickling
t0=$(date +%s.%N)
qemu_qmp a '{"execute":"system_powerdown"}' >/dev/null
qemu_wait a '^paddock: shutdown: power off requested' 20 || fail "power button not seen with slow clients"
t_seen=$(since "$t0")
qemu_wait_exit a 120 || fail "no power-off with slow clients"
t_slow=$(since "$t0")
echo "power button to shutdown with slow clients: $t_seen s; to power-off: $t_slow s"
# PID 1 takes the press at once, whatever the clients do
awk -v s="$t_seen" 'BEGIN { exit !(s <= 5) }' || fail "slow clients delayed the power button by $t_seen s"

# 2. SIGTERM reboots, SIGUSR2 powers off
PORTS[b]=$(free_port)
boot b "${PORTS[b]}"
up b 1
qemu_console b 'kill -TERM 1'
qemu_wait b '^paddock: shutdown: reboot requested' 20 || fail "SIGTERM: no reboot requested"
up b 2
[ "$(count b '^paddock: power off')" -eq 0 ] || fail "SIGTERM powered off"
t0=$(date +%s.%N)
qemu_console b 'kill -USR2 1'
qemu_wait b '^paddock: shutdown: power off requested' 20 || fail "SIGUSR2: no power off requested"
qemu_wait_exit b 120 || fail "SIGUSR2: no power-off"
t_usual=$(since "$t0")
[ "$(count b '^paddock: init ok [0-9.]+$')" -eq 2 ] || fail "SIGUSR2 rebooted"
tr -d '\r' <"$(qemu_log b)" | grep -aE '^paddock: (services stopped|unmount|power off|reboot)' | sed 's/^/b: /'
echo "power-off without clients (SIGUSR2): $t_usual s"

# The whole power-off with slow clients is the usual one.  Its time is
# mostly the containers stopping (the user dockerd alone takes 2 to 20 s
# under TCG on a loaded host), hence the margin; slow clients held the old
# PID 1 for about 30 s per trickling connection.
awk -v s="$t_slow" -v u="$t_usual" 'BEGIN { exit !(s <= u + 20) }' ||
	fail "slow clients delayed power-off: $t_slow s against $t_usual s"
echo "PASS: SIGTERM reboots, SIGUSR2 powers off, slow clients delay nothing, /init needs libc alone"
