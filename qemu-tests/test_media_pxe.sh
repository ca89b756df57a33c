# pxelinux over QEMU's TFTP: each of two MACs boots its own node's layer;
# a MAC not in the cluster file gets the "unknown MAC" default and waits.
. qemu-tests/media-lib.sh
set -e
out=$QEMU_TMP/out
media_build "$out" configs/ha-3node.yml pxe - >/dev/null
set +e

pxe() { # NAME MAC
	media_boot "$1" bios -netdev "user,id=n0,tftp=$out/tftp,bootfile=pxelinux.0" \
		-device "virtio-net-pci,netdev=n0,mac=$2,bootindex=1"
}

st=0
for n in 1 2; do
	pxe "pxe-node$n" "52:54:00:00:02:0$n" &&
		media_expect_node "pxe-node$n" "node$n" 240 || st=1
	# the stand-in init prints its command line: pxelinux appended the boot NIC
	media_have_build || qemu_wait "pxe-node$n" "BOOTIF=01-52-54-00-00-02-0$n" 5 || st=1
	qemu_stop "pxe-node$n"
done
pxe pxe-unknown 52:54:00:00:02:99 && qemu_wait pxe-unknown 'paddock: unknown MAC' 120 || st=1
if grep -aq 'paddock: init ok' "$(qemu_log pxe-unknown)"; then
	echo "FAIL: an unknown MAC booted" >&2
	st=1
fi
qemu_stop pxe-unknown
exit $st
