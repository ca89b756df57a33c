#!/usr/bin/env bash
# Boot time of the single-node appliance against a bare busybox initramfs
# on the same kernel, same QEMU settings, same run:
#   power-on -> System Docker ready, power-on -> all os-services running,
#   power-on -> init marker of the bare image, and the ratios.
# Power-on is when the harness connects to the serial console (QEMU starts
# the guest then).  Goal: appliance / bare <= 6.
# APPLIANCE_KERNEL + APPLIANCE_INITRD skip the build, as in the QEMU test.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
T=$QEMU_TMP
PADDOCK=${PADDOCK:-build/paddock}
CACHE=${PADDOCK_CACHE:-$HOME/.cache/paddock}

if [ -n "${APPLIANCE_KERNEL:-}" ]; then
	KERNEL=$APPLIANCE_KERNEL INITRD=$APPLIANCE_INITRD CMDLINE="console=ttyS0 paddock.node=paddock-single"
else
	ssh-keygen -q -t ed25519 -N '' -f "$T/id" || fail "ssh-keygen"
	sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" -e 's|^  formats:.*|  formats: [kernel]|' \
		configs/single-node.yml >"$T/cluster.yml"
	"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" || fail "paddock build"
	KERNEL=$T/out/paddock-single/vmlinuz
	cat "$T/out/base.img" "$T/out/paddock-single/node.img" >"$T/initrd.img"
	INITRD=$T/initrd.img
	CMDLINE=$(cat "$T/out/paddock-single/cmdline")
fi

# the bare image: busybox-static from the component cache and a /init that
# prints the same marker and powers off
deb=$(ls "$CACHE"/debs/busybox-static_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || deb=$(ls /tmp/scratch/debs/busybox-static_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no busybox-static .deb in $CACHE/debs (run make components)"
mkdir -p "$T/bare/x" "$T/bare/root/bin" "$T/bare/root/dev"
dpkg-deb -x "$deb" "$T/bare/x"
cp "$T/bare/x/bin/busybox" "$T/bare/root/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox echo "paddock: init ok"\n/bin/busybox poweroff -f\n' >"$T/bare/root/init"
chmod 0755 "$T/bare/root/init"
mknod -m 0600 "$T/bare/root/dev/console" c 5 1
(cd "$T/bare/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$T/bare.cpio"

secs() { sed -n "s/^$1: '.*' after \([0-9.]*\) s$/\1/p"; }

qemu_start bare -m 1536 -kernel "$KERNEL" -initrd "$T/bare.cpio" -append "$CMDLINE" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0 || fail "qemu (bare)"
bare=$(qemu_wait bare '^paddock: init ok' 60 | secs bare) || fail "bare image: no marker"
qemu_wait_exit bare 30 >/dev/null || qemu_stop bare

qemu_start vm -m 1536 -kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01 || fail "qemu (appliance)"
init=$(qemu_wait vm '^paddock: init ok' 60 | secs vm) || fail "appliance: no init marker"
docker=$(qemu_wait vm '^paddock: System Docker ready' 180 | secs vm) || fail "appliance: System Docker"
all=$(qemu_wait vm '^paddock: services ok' 240 | secs vm) || fail "appliance: services"
qemu_stop vm

printf 'initrd: %s MB (appliance), %s MB (bare)\n' $(( $(stat -c %s "$INITRD") >> 20 )) $(( $(stat -c %s "$T/bare.cpio") >> 20 ))
printf 'power-on -> bare busybox init marker:   %6.1f s\n' "$bare"
printf 'power-on -> appliance init marker:      %6.1f s\n' "$init"
printf 'power-on -> System Docker ready:        %6.1f s  (%.1fx bare)\n' "$docker" "$(echo "$docker $bare" | awk '{print $1/$2}')"
printf 'power-on -> all os-services running:    %6.1f s  (%.1fx bare)\n' "$all" "$(echo "$all $bare" | awk '{print $1/$2}')"
