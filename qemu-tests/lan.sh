# qemu-tests/lan.sh: a private LAN for QEMU guests, sourced after lib.sh.
#
#   . qemu-tests/lib.sh
#   . qemu-tests/lan.sh
#   lan_create ha 10.10.0.1/24 || skip "$LAN_ERROR"
#   lan_tap tap1
#   lan_qemu_start node1 tap1 52:54:00:00:02:01 -m 1536 -kernel K -initrd I -append A
#   lan_exec ping -c1 -W2 10.10.0.11
#
# The LAN is a Linux bridge in a network namespace of this test run's own
# (paddock-NAME-PID), holding the gateway address, with one tap device per
# guest; QEMU runs inside the namespace (`ip netns exec`), so its taps are
# there too.  The namespace has no other interface, no route but the LAN's
# and forwarding off: nothing a guest sends leaves the LAN, and the host's
# own network never sees it.  Tests reach the guests with real clients
# through lan_exec.  On every exit path the guests are killed first, then
# the taps, the bridge and the namespace are deleted.
set -u

LAN_NS=
LAN_CIDR=
LAN_ERROR=
LAN_BRIDGE=br0

declare -F qemu_cleanup >/dev/null || { echo "lan.sh: source qemu-tests/lib.sh first" >&2; exit 1; }

lan_cleanup() {
	local t p
	[ -n "$LAN_NS" ] || return 0
	# lib.sh's cleanup killed the guests; anything else still inside is ours too
	for p in $(ip netns pids "$LAN_NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
	for t in $(ip -n "$LAN_NS" -o link show master "$LAN_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
		ip -n "$LAN_NS" link del "$t" 2>/dev/null
	done
	ip -n "$LAN_NS" link del "$LAN_BRIDGE" 2>/dev/null
	ip netns del "$LAN_NS" 2>/dev/null
	LAN_NS=
}
# A signal must end the test through its EXIT trap, or the namespace stays.
trap 'qemu_cleanup; lan_cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# lan_create NAME GATEWAY-CIDR: the namespace, and the bridge with the
# gateway's address.  Returns 1 with LAN_ERROR set when this machine cannot
# make one (not root, no ip, no /dev/net/tun): the test skips then.
lan_create() {
	local name=$1 cidr=$2
	if [ "$(id -u)" != 0 ]; then LAN_ERROR="a LAN needs root (network namespace and tap devices)"; return 1; fi
	if ! command -v ip >/dev/null; then LAN_ERROR="no ip command (iproute2)"; return 1; fi
	if [ ! -c /dev/net/tun ]; then LAN_ERROR="no /dev/net/tun"; return 1; fi
	# a run killed with SIGKILL leaves its namespace: drop those whose test
	# is gone and which hold no process
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^paddock-[a-z0-9]+-[0-9]+$/ {print $1}'); do
		kill -0 "${ns##*-}" 2>/dev/null || [ -n "$(ip netns pids "$ns" 2>/dev/null)" ] || ip netns del "$ns"
	done
	LAN_NS=paddock-$name-$$
	if ! ip netns add "$LAN_NS" 2>"$QEMU_TMP/lan.err"; then
		LAN_ERROR="cannot create a network namespace: $(cat "$QEMU_TMP/lan.err")"
		LAN_NS=
		return 1
	fi
	LAN_CIDR=$cidr
	if ! { ip netns exec "$LAN_NS" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$LAN_NS" link add "$LAN_BRIDGE" type bridge &&
		ip -n "$LAN_NS" addr add "$cidr" dev "$LAN_BRIDGE" &&
		ip -n "$LAN_NS" link set "$LAN_BRIDGE" up; } 2>"$QEMU_TMP/lan.err"; then
		LAN_ERROR="cannot set up the bridge: $(cat "$QEMU_TMP/lan.err")"
		lan_cleanup
		return 1
	fi
}

# lan_tap NAME: a tap device NAME (at most 15 characters) on the bridge.
lan_tap() {
	local tap=$1
	[ ${#tap} -le 15 ] || { LAN_ERROR="tap name $tap: longer than 15 characters"; return 1; }
	if ! { ip -n "$LAN_NS" tuntap add dev "$tap" mode tap &&
		ip -n "$LAN_NS" link set "$tap" master "$LAN_BRIDGE" &&
		ip -n "$LAN_NS" link set "$tap" up; } 2>"$QEMU_TMP/lan.err"; then
		LAN_ERROR="cannot create tap $tap: $(cat "$QEMU_TMP/lan.err")"
		return 1
	fi
}

# lan_exec CMD...: runs CMD inside the LAN's namespace.
lan_exec() { ip netns exec "$LAN_NS" "$@"; }

# lan_qemu_start NAME TAP MAC QEMU-ARGS...: qemu_start inside the namespace
# with one virtio NIC on TAP.  `ip netns exec` execs QEMU, so lib.sh's PID
# is QEMU's own.
lan_qemu_start() {
	local name=$1 tap=$2 mac=$3
	shift 3
	QEMU="ip netns exec $LAN_NS $QEMU" qemu_start "$name" "$@" \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=n0,mac=$mac"
}

# lan_check_isolated: the namespace holds lo, the bridge and its taps only,
# routes nowhere but the LAN and does not forward; prints what it checked.
lan_check_isolated() {
	local routes links fwd net
	net=$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_interface(sys.argv[1]).network)' "$LAN_CIDR")
	routes=$(ip -n "$LAN_NS" -4 route show table all | grep -v '^local \|^broadcast ')
	echo "$routes" | sed 's/^/lan route: /'
	[ "$(echo "$routes" | wc -l)" -eq 1 ] && echo "$routes" | grep -q "^$net dev $LAN_BRIDGE " || {
		LAN_ERROR="routes other than $net on $LAN_BRIDGE: $routes"
		return 1
	}
	[ -z "$(ip -n "$LAN_NS" -6 route show table all 2>/dev/null | grep -v '^local \|^multicast \|^anycast ')" ] ||
		{ LAN_ERROR="IPv6 routes in the namespace"; return 1; }
	fwd=$(ip netns exec "$LAN_NS" sysctl -n net.ipv4.ip_forward)
	[ "$fwd" = 0 ] || { LAN_ERROR="forwarding is on in $LAN_NS"; return 1; }
	links=$(ip -n "$LAN_NS" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | tr '\n' ' ')
	echo "lan links: $links"
	for l in $links; do
		[ "$l" = lo ] || [ "$l" = "$LAN_BRIDGE" ] ||
			ip -n "$LAN_NS" -o link show "$l" | grep -q "master $LAN_BRIDGE" ||
			{ LAN_ERROR="$l in $LAN_NS is not on the bridge"; return 1; }
	done
}

# lan_ssh_login KEY ADDR USER...: the first USER that logs in to ADDR with
# KEY (each tried for about 30 s); lan_ssh CMD... then runs CMD there.
# Returns 1 when none does.
LAN_SSH_KEY=
LAN_SSH_TO=
lan_ssh() {
	lan_exec timeout 60 ssh -i "$LAN_SSH_KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=20 -o LogLevel=ERROR "$LAN_SSH_TO" "$@"
}
lan_ssh_login() {
	local key=$1 addr=$2 u try
	shift 2
	LAN_SSH_KEY=$key
	for try in $(seq 1 15); do
		for u in "$@"; do
			LAN_SSH_TO=$u@$addr
			lan_ssh true 2>/dev/null && return 0
		done
		sleep 2
	done
	LAN_SSH_TO=
	return 1
}

# lan_plan_read PLAN-JSON [ROLE]: the nodes of a `paddock plan --json`
# (those with ROLE, when given): their names in NAMES, in plan order, and
# MAC[name], ADDR[name] and USER_OF[name] (the SSH login).
lan_plan_read() {
	local n m a u
	NAMES=()
	declare -gA MAC=() ADDR=() USER_OF=()
	while read -r n m a u; do
		NAMES+=("$n") MAC[$n]=$m ADDR[$n]=$a USER_OF[$n]=$u
	done < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1]))["nodes"]:
    if len(sys.argv) < 3 or sys.argv[2] in n["roles"]:
        print(n["name"], n["boot"]["mac"], n["address"], n["ssh_user"])' "$@")
}

# lan_node_start RUN-NAME OUT NODE TAP MAC DISK QEMU-ARGS...: boots NODE of
# the build in OUT (kernel, initrd.img, cmdline: --formats kernel,initrd)
# on TAP with DISK as its virtio disk, as guest RUN-NAME.
lan_node_start() {
	local run=$1 out=$2 node=$3 tap=$4 mac=$5 disk=$6
	shift 6
	lan_qemu_start "$run" "$tap" "$mac" -kernel "$out/$node/vmlinuz" -initrd "$out/$node/initrd.img" \
		-append "$(cat "$out/$node/cmdline")" -drive "file=$disk,if=virtio,format=raw" "$@"
}
