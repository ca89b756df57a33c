# iPXE over HTTP from a web server on 127.0.0.1 (the guest's 10.0.2.2):
# two MACs each boot their own node's layer (BIOS, and node1 on UEFI too);
# a MAC not in the cluster file is told so and stops.
. qemu-tests/media-lib.sh
set -e
out=$QEMU_TMP/out
port=$(free_port)
url=http://10.0.2.2:$port
media_build "$out" configs/ha-3node.yml ipxe "$url" >/dev/null
python3 -m http.server --bind 127.0.0.1 --directory "$out/ipxe" "$port" >"$QEMU_TMP/http.log" 2>&1 &
QEMU_HELPERS+=("$!")
for i in $(seq 1 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
	sleep 0.1
done
set +e

ipxe() { # NAME FIRMWARE MAC
	media_boot "$1" "$2" -netdev "user,id=n0,bootfile=$url/boot.ipxe" \
		-device "virtio-net-pci,netdev=n0,mac=$3,bootindex=1"
}

st=0
for n in 1 2; do
	ipxe "ipxe-node$n" bios "52:54:00:00:02:0$n" &&
		media_expect_node "ipxe-node$n" "node$n" 240 || st=1
	qemu_stop "ipxe-node$n"
done
ipxe ipxe-uefi-node1 uefi 52:54:00:00:02:01 && media_expect_node ipxe-uefi-node1 node1 240 || st=1
qemu_stop ipxe-uefi-node1
ipxe ipxe-unknown bios-sercon 52:54:00:00:02:99 &&
	qemu_wait ipxe-unknown 'paddock: unknown MAC 52:54:00:00:02:99' 120 &&
	qemu_wait ipxe-unknown 'press any key to try again' 10 || st=1
sleep 3   # it must stay there: no boot, no loop back into PXE
if grep -aq 'paddock: init ok' "$(qemu_log ipxe-unknown)" ||
	[ "$(grep -ac 'paddock: unknown MAC' "$(qemu_log ipxe-unknown)")" -ne 1 ]; then
	echo "FAIL: the unknown MAC booted or looped" >&2
	st=1
fi
qemu_stop ipxe-unknown
if grep -v '"GET /[-a-z0-9./]* HTTP/1.1" 200' "$QEMU_TMP/http.log" | grep -v '02-99.ipxe.* 404' | grep -q GET; then
	echo "FAIL: unexpected requests:" >&2
	cat "$QEMU_TMP/http.log" >&2
	st=1
fi
exit $st
