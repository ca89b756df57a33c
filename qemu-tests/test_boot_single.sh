#!/usr/bin/env bash
# Boots the single-node example (built once by `make qemu-test` into
# $BUILD/example/single-node): vmlinuz with the base layer followed by the
# node layer, and waits for init's marker and the node's name on the serial
# console.  Prints the time from power-on to the marker.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
OUT=${EXAMPLE_OUT:-$BUILD/example/single-node}
NODE=paddock-single
[ -f "$OUT/vmlinuz" ] && [ -f "$OUT/base.img" ] && [ -f "$OUT/$NODE/node.img" ] ||
	fail "$OUT: no built example (run make example-image)"
(cd "$OUT" && sha256sum --quiet -c SHA256SUMS) || fail "$OUT: SHA256SUMS does not match"

# QEMU takes one -initrd: the kernel unpacks concatenated archives in order,
# exactly as a boot loader loading base.img then node.img would.
cat "$OUT/base.img" "$OUT/$NODE/node.img" >"$QEMU_TMP/initrd.img"
qemu_start vm -m 1024 -kernel "$OUT/$NODE/vmlinuz" -initrd "$QEMU_TMP/initrd.img" \
	-append "$(cat "$OUT/$NODE/cmdline") paddock.poweroff" \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 || fail "qemu did not start"
qemu_wait vm '^paddock: init ok [0-9]+\.[0-9]+' 90 || fail "no init marker"
qemu_wait vm "^paddock: node $NODE\$" 10 || fail "init did not read the node layer's config"
grep -a '^paddock: init ok' "$(qemu_log vm)" | tr -d '\r' | sed 's/^/guest: /'
qemu_wait_exit vm 30 || fail "guest did not power off"
echo "PASS: $NODE booted to init"
