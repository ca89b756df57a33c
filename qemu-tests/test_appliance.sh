#!/usr/bin/env bash
# The appliance at boot: the single-node example, built with a test SSH key
# as the cluster's key, boots to System Docker and its os-services; over
# SSH (QEMU user networking, hostfwd on 127.0.0.1, through out/ssh_config
# with its strict host key check, as the node's user) `paddockctl status`
# lists them running; a service killed inside the guest (from a root shell
# on the console) comes back;
# `system_powerdown` on QMP stops services, unmounts and powers off within
# a bounded time.
#
# APPLIANCE_KERNEL + APPLIANCE_INITRD (+ APPLIANCE_KEY, the private key it
# accepts for APPLIANCE_USER, default rancher) skip the build, to try an
# image made some other way.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
SERVICES="syslog ntp sshd docker"
T=$QEMU_TMP
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"

NODE=paddock-single
if [ -n "${APPLIANCE_KERNEL:-}" ]; then
	KERNEL=$APPLIANCE_KERNEL INITRD=$APPLIANCE_INITRD CMDLINE="console=ttyS0 paddock.node=$NODE"
	[ -n "${APPLIANCE_KEY:-}" ] && cp "$APPLIANCE_KEY" "$T/id" && cp "$APPLIANCE_KEY.pub" "$T/id.pub"
	# no out/known_hosts for an image made some other way
	gssh() {
		ssh -i "$T/id" -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
			-o BatchMode=yes -o ConnectTimeout=20 -o LogLevel=ERROR "${APPLIANCE_USER:-rancher}@127.0.0.1" "$@"
	}
else
	# the example, with the test key as the cluster's ssh key
	sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" -e 's|^  formats:.*|  formats: [kernel]|' \
		configs/single-node.yml >"$T/cluster.yml"
	(cd "$T" && "$PADDOCK" build cluster.yml -q -o out) || fail "paddock build"
	KERNEL=$T/out/$NODE/vmlinuz
	cat "$T/out/base.img" "$T/out/$NODE/node.img" >"$T/initrd.img"
	INITRD=$T/initrd.img
	CMDLINE=$(cat "$T/out/$NODE/cmdline")
	# as the operator does (host key checked strictly), pointed at the forwarded port
	gssh() {
		(cd "$T" && ssh -F out/ssh_config -o HostName=127.0.0.1 -o Port="$PORT" -o BatchMode=yes \
			-o ConnectTimeout=20 -o LogLevel=ERROR "$NODE" "$@")
	}
fi

PORT=$(free_port)
# paddock.shell: a root shell on the console (the example allows a debug shell)
qemu_start vm -m 1536 -kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE paddock.shell" \
	-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$PORT-:22" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01 || fail "qemu did not start"
qemu_wait vm '^paddock: init ok [0-9.]+' 60 || fail "no init marker"
qemu_wait_services vm "$SERVICES"

# sshd may still be binding its port right after start
for i in $(seq 1 30); do gssh true 2>/dev/null && break; sleep 2; done
expect_services_running "$SERVICES"

# a password is never accepted
if gssh -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive true 2>/dev/null; then
	fail "login without the key"
fi

# kill syslogd inside the guest: init restarts the service after its back-off
qemu_console vm 'kill $(pidof syslogd)'
qemu_wait vm '^paddock: service syslog stopped; restart 1 in' 30 || fail "syslog exit not noticed"
n=0
for i in $(seq 1 120); do
	n=$(tr -d '\r' <"$(qemu_log vm)" | grep -c '^paddock: service syslog running')
	[ "$n" -ge 2 ] && break
	sleep 0.5
done
[ "$n" -ge 2 ] || fail "syslog did not come back"
gssh paddockctl status | grep -qE '^syslog +running +1 ' || fail "restart not counted in paddockctl status"
echo "syslog came back after a kill"

# ACPI power button: clean shutdown, bounded
qemu_powerdown_clean vm
echo "PASS: appliance boots, serves, restarts and powers off"
