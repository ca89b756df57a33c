#!/usr/bin/env bash
# The static-network path: node1 of the HA example (10.10.0.11/24, gateway
# and DNS 10.10.0.1, no DHCP) boots on a QEMU user network laid out as that
# subnet; over SSH (hostfwd to 10.10.0.11, as the node's user rancher) it
# has its address, its default route and its hostname, and `paddockctl
# status` lists the os-services (the worker's user docker among them)
# running; `system_powerdown` on QMP powers it off cleanly.
# Its two etcd peers never come: the console names both, with their peer
# URLs, at growing intervals, `paddockctl status` says the provisioner waits
# for them, and etcd never reports healthy (no cluster of one forms).
# Its state disk (/dev/vda) holds someone else's data, an MBR partition
# table and bytes of theirs: the node says so on the console and in
# `paddockctl status`, runs from RAM and leaves the disk as it was.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
SERVICES="syslog ntp sshd docker"
NODE=node1
T=$QEMU_TMP
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"

# the example points at the operator's own key: use the test's instead
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" configs/ha-3node.yml >"$T/cluster.yml"
grep -q "^ssh_key_path: $T/id\$" "$T/cluster.yml" || fail "no ssh_key_path in configs/ha-3node.yml"
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" --formats kernel,initrd || fail "paddock build"
CMDLINE=$(cat "$T/out/$NODE/cmdline")
echo "cmdline: $CMDLINE"

# QEMU's user network as the example's subnet: the gateway is QEMU's host
# address; its DNS must be another address than that (QEMU refuses
# dns=host), so the node's nameserver 10.10.0.1 does not answer here.
PORT=$(free_port)
truncate -s 32M "$T/foreign.img"
printf 'label: dos\n,,L\n' | sfdisk -q "$T/foreign.img" >/dev/null 2>&1 || fail "sfdisk on the foreign disk"
printf 'someone else%ss data' "'" | dd of="$T/foreign.img" bs=1 seek=1048576 conv=notrunc status=none || fail "dd"
FOREIGN_SUM=$(sha256sum <"$T/foreign.img")
qemu_start vm -m 1536 -kernel "$T/out/$NODE/vmlinuz" -initrd "$T/out/$NODE/initrd.img" \
	-append "$CMDLINE" \
	-netdev "user,id=n0,restrict=on,net=10.10.0.0/24,host=10.10.0.1,dns=10.10.0.3,hostfwd=tcp:127.0.0.1:$PORT-10.10.0.11:22" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:00:02:01 \
	-drive "file=$T/foreign.img,if=virtio,format=raw" || fail "qemu did not start"
qemu_wait vm '^paddock: init ok [0-9.]+' 60 || fail "no init marker"
qemu_wait vm '^paddock: network ok [0-9.]+' 60 || fail "static network not ok"
FOREIGN_WHY='/dev/vda: holds an MBR partition table: not formatted \(paddock formats blank disks only\)'
qemu_wait vm "^paddock: state-disk FAILED: $FOREIGN_WHY; running from RAM: nothing survives a reboot\$" 60 ||
	fail "the foreign state disk is not reported on the console"
QEMU_EXPECTED_FAILED="^paddock: state-disk FAILED: $FOREIGN_WHY;"
qemu_wait_services vm "$SERVICES"
# the guest's own clock for each stage (seconds since it started)
tr -d '\r' <"$(qemu_log vm)" | grep -aE '^paddock: (network ok|System Docker ready|services ok) ' |
	sed 's/^/guest: /'

# the peers that never come: etcd starts 60 s before the os-services'
# images load (they wait for it that long), so two looks come before them
MISSING='etcd-node2 \(https://10\.10\.0\.12:2380\), etcd-node3 \(https://10\.10\.0\.13:2380\)'
LOOK="^paddock: etcd: waiting for 2 of 3 peers: $MISSING not answering; next look in [0-9]+ s\$"
looks() { tr -d '\r' <"$(qemu_log vm)" | grep -aE "$LOOK" | sed 's/.*next look in \([0-9]*\) s$/\1/' | tr '\n' ' '; }
end=$(( $(date +%s) + 60 ))
until [ "$(looks | wc -w)" -ge 2 ] || [ "$(date +%s)" -gt "$end" ]; do sleep 1; done
tr -d '\r' <"$(qemu_log vm)" | grep -a '^paddock: etcd: waiting for' | sed 's/^/guest: /'
set -- $(looks)
[ $# -ge 2 ] || fail "the missing peers were not named twice"
[ "$2" -gt "$1" ] || fail "the looks for the missing peers are not backed off: $*"

gssh() {
	timeout 60 ssh -i "$T/id" -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=20 -o LogLevel=ERROR rancher@127.0.0.1 "$@"
}
# sshd may still be binding its port right after start
for i in $(seq 1 30); do gssh true 2>/dev/null && break; sleep 2; done

addrs=$(gssh ip -4 -o addr show) || fail "ssh + ip addr"
echo "$addrs" | sed 's/^/addr: /'
echo "$addrs" | grep -vE '^[0-9]+: (lo|docker|br-)' | grep -q ' inet 10\.10\.0\.11/24 ' ||
	fail "10.10.0.11/24 is not on the NIC"
routes=$(gssh ip -4 route show) || fail "ssh + ip route"
echo "$routes" | sed 's/^/route: /'
echo "$routes" | grep -qE '^default via 10\.10\.0\.1 ' || fail "default route is not via 10.10.0.1"
host=$(gssh hostname) || fail "ssh + hostname"
[ "$host" = "$NODE" ] || fail "hostname is '$host', not $NODE"
gssh cat /etc/resolv.conf | grep -qx 'nameserver 10.10.0.1' || fail "resolv.conf: no nameserver 10.10.0.1"

expect_services_running "$SERVICES"
echo "$STATUS" | grep -qE "^provisioner: waiting for peers \(since [0-9.]+ s\): $MISSING not answering\$" ||
	fail "paddockctl status: the provisioner does not name the missing peers"
# no cluster of one: never healthy, no members listed
echo "$STATUS" | grep -qE '^member|etcd healthy' && fail "paddockctl status: etcd healthy without its peers"
echo "$STATUS" | grep -qE "^state disk: foreign $FOREIGN_WHY\$" ||
	fail "paddockctl status: the foreign state disk is not reported"

# ACPI power button: clean shutdown, bounded
qemu_powerdown_clean vm
tr -d '\r' <"$(qemu_log vm)" | grep -aE '^paddock: etcd (healthy|snapshot)|^paddock: etcd: .*promoted' &&
	fail "etcd became healthy alone"
[ "$(sha256sum <"$T/foreign.img")" = "$FOREIGN_SUM" ] || fail "the foreign disk was written to"
echo "foreign state disk: reported, left as it was (sha256 unchanged), ran from RAM"
echo "PASS: static network: address, route, hostname, services, power-off; missing peers named, no cluster of one; a foreign state disk left alone"
