#!/usr/bin/env bash
# The DHCP hook (initrd/skel/usr/share/paddock/udhcpc.script) with a
# stand-in `ip` first in PATH that keeps the interface's address and
# routes in files and logs every call: a first lease sets address, route
# and resolv.conf; a renew of the same lease changes nothing (no flush, no
# add, no del, resolv.conf not rewritten); a new address or router is
# applied.  UDHCPC_SCRIPT tries another copy of the hook.
#
# Safety: the hook runs under bash (a busybox sh may run its own `ip`
# applet instead of the stand-in), on an interface no host has, with its
# resolv.conf rewritten to the test's directory.
set -u
cd "$(dirname "$0")/../.."
SCRIPT=${UDHCPC_SCRIPT:-initrd/skel/usr/share/paddock/udhcpc.script}
T=$(mktemp -d "${TMPDIR:-/tmp}/paddock-udhcpc.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir "$T/bin"
: >"$T/addr"
: >"$T/routes"
cat >"$T/bin/ip" <<STUB
#!/bin/sh
# the calls that change something are logged; the queries answer from files
case "\$*" in
"-4 addr show dev pdktest0")
	while read -r a; do echo "    inet \$a brd 10.0.2.255 scope global pdktest0"; done <"$T/addr" ;;
"-4 route show")
	cat "$T/routes" ;;
"-4 addr flush dev pdktest0")
	echo "ip \$*" >>"$T/calls"; : >"$T/addr"; : >"$T/routes" ;;
"addr add "*" dev pdktest0")
	echo "ip \$*" >>"$T/calls"; echo "\$3" >>"$T/addr" ;;
"route del default")
	echo "ip \$*" >>"$T/calls"; grep -v '^default ' "$T/routes" >"$T/routes.new"; mv "$T/routes.new" "$T/routes" ;;
"route add default via "*)
	echo "ip \$*" >>"$T/calls"; echo "default via \$5 dev \$7" >>"$T/routes" ;;
*)
	echo "ip \$*" >>"$T/calls" ;;
esac
STUB
chmod 0755 "$T/bin/ip"
# the hook with its resolv.conf in the test's directory
sed -e "s|/etc/resolv.conf|$T/resolv.conf|g" -e "s|/etc/paddock/node.conf|$T/node.conf|g" "$SCRIPT" >"$T/hook"
# the bridge pod network's routes to other nodes' pods
printf 'node.name=n1\npod.network=bridge\npod.route=10.42.12.0/24 via 10.0.2.12\npod.route=10.42.13.0/24 via 10.0.2.13\n' >"$T/node.conf"

# lease ACTION IP ROUTER: runs the hook as udhcpc would; the calls it made in $T/calls
lease() {
	: >"$T/calls"
	env PATH="$T/bin:$PATH" interface=pdktest0 ip="$2" mask=24 router="$3" dns="10.0.2.3" domain=example.test \
		bash "$T/hook" "$1" || fail "hook $1 exited with $?"
}

lease bound 10.0.2.15 10.0.2.2
grep -qx 'ip addr add 10.0.2.15/24 dev pdktest0' "$T/calls" || fail "bound: no address added: $(cat "$T/calls")"
grep -qx 'ip route add default via 10.0.2.2 dev pdktest0' "$T/calls" || fail "bound: no default route"
grep -qx 'ip route replace 10.42.12.0/24 via 10.0.2.12 dev pdktest0' "$T/calls" || fail "bound: no pod route"
grep -qx 'ip route replace 10.42.13.0/24 via 10.0.2.13 dev pdktest0' "$T/calls" || fail "bound: no second pod route"
[ "$(cat "$T/resolv.conf")" = "$(printf 'search example.test\nnameserver 10.0.2.3')" ] || fail "bound: resolv.conf"
inode=$(stat -c %i "$T/resolv.conf")

lease renew 10.0.2.15 10.0.2.2
[ ! -s "$T/calls" ] || fail "a renew of the same lease changed the interface: $(tr '\n' ';' <"$T/calls")"
[ "$(stat -c %i "$T/resolv.conf")" = "$inode" ] || fail "a renew of the same lease rewrote resolv.conf"
[ ! -e "$T/resolv.conf.new" ] || fail "resolv.conf.new left behind"

lease renew 10.0.2.16 10.0.2.2
grep -qx 'ip -4 addr flush dev pdktest0' "$T/calls" || fail "new address: old one not removed"
grep -qx 'ip addr add 10.0.2.16/24 dev pdktest0' "$T/calls" || fail "new address: not added"
grep -qx 'ip route add default via 10.0.2.2 dev pdktest0' "$T/calls" || fail "new address: route not set again"
grep -qx 'ip route replace 10.42.12.0/24 via 10.0.2.12 dev pdktest0' "$T/calls" || fail "new address: pod route not set again"

lease renew 10.0.2.16 10.0.2.1
if grep -q 'addr' "$T/calls"; then fail "new router: the address was touched"; fi
grep -qx 'ip route del default' "$T/calls" || fail "new router: old route kept"
grep -qx 'ip route add default via 10.0.2.1 dev pdktest0' "$T/calls" || fail "new router: not set"
echo "PASS: udhcpc hook changes nothing on a renew of the same lease"
