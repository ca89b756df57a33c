#!/usr/bin/env bash
# paddock serve --dhcp beside another DHCP server: a stock dnsmasq (which,
# like most servers, pings an address for a few seconds before it offers
# it) in a second network namespace at the end of a veth.  One line, exit
# 1, nothing left running.  Needs root, ip and dnsmasq; exit 77 without.
CLUSTER=${CLUSTER:-$(pwd)/configs/ha-3node.yml}
. builder/tests/build-helpers.bash
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "no ip"
[ -x /usr/sbin/dnsmasq ] || skip "no /usr/sbin/dnsmasq (dnsmasq-base)"
[ -x /bin/busybox ] || skip "no /bin/busybox (busybox-static)"

S=paddock-fs-$$ F=paddock-ff-$$ foreign=
cleanup() {
	[ -n "$foreign" ] && kill "$foreign" 2>/dev/null && wait "$foreign" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	ip netns del "$F" 2>/dev/null
	for d in "${cleanup_dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
ip netns add "$S" && ip netns add "$F" || skip "cannot make network namespaces"
ip -n "$S" link add pv0 type veth peer name pv1 netns "$F" && ip -n "$S" addr add 10.10.0.1/24 dev pv0 &&
	ip -n "$S" link set pv0 up && ip -n "$F" addr add 10.10.0.2/24 dev pv1 && ip -n "$F" link set pv1 up ||
	skip "cannot make a veth pair"

new_cache "$T/c"
"$PADDOCK" build "$CLUSTER" -q -o "$T/out" --cache "$T/c" --formats ipxe 2>"$T/build.err" ||
	fail "paddock build: $(cat "$T/build.err")"
ip netns exec "$F" /usr/sbin/dnsmasq --keep-in-foreground --port=0 --interface=pv1 --bind-interfaces \
	--dhcp-range=10.10.0.100,10.10.0.150,255.255.255.0,1h --dhcp-leasefile="$T/leases" --log-facility=- \
	--pid-file= 2>"$T/foreign.err" &
foreign=$!
for _ in $(seq 50); do grep -q 'sockets bound' "$T/foreign.err" && break; sleep 0.1; done

runs_before=$(ls -d /run/paddock-serve.* /tmp/paddock-serve.* 2>/dev/null | wc -l)
ip netns exec "$S" timeout 60 "$PADDOCK" serve "$T/out" --interface pv0 --dhcp >"$T/out.txt" 2>"$T/err"
rc=$?
sed 's/^/  stderr: /' "$T/err"
[ $rc = 1 ] || fail "exit status $rc, expected 1"
[ "$(wc -l <"$T/err")" = 1 ] || fail "not one line"
grep -q '^paddock: serve: another DHCP server answers on pv0: ' "$T/err" || fail "not the foreign-server refusal"
grep -q 'DHCPOFFER(pv1)' "$T/foreign.err" || fail "the other server never saw the probe"
[ -z "$(ip netns pids "$S")" ] || fail "something still runs in the namespace: $(ip netns pids "$S")"
[ "$(ls -d /run/paddock-serve.* /tmp/paddock-serve.* 2>/dev/null | wc -l)" -le "$runs_before" ] ||
	fail "a runtime directory was left"
echo "PASS"
