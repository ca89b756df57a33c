# The hybrid ISO boots as a CD and as a USB stick, on BIOS (SeaBIOS) and
# on UEFI (OVMF + GRUB), to the init's marker with its node's layer.
. qemu-tests/media-lib.sh
set -e
out=$QEMU_TMP/out
media_build "$out" configs/single-node.yml iso - >/dev/null
iso=$out/paddock-single/paddock-single.iso
set +e

boot() { # NAME FIRMWARE MEDIUM
	local medium
	case "$3" in
	cd) medium=(-drive "file=$iso,format=raw,media=cdrom,readonly=on,if=none,id=m" -device ide-cd,drive=m,bootindex=1) ;;
	usb) medium=(-device qemu-xhci -drive "file=$iso,format=raw,if=none,id=m,snapshot=on"
		-device usb-storage,drive=m,removable=on,bootindex=1) ;;
	esac
	media_boot "$1" "$2" "${medium[@]}" || return 1
	media_expect_node "$1" paddock-single 240 || return 1
	qemu_stop "$1"
}

st=0
boot bios-cd bios cd || st=1
boot bios-usb bios usb || st=1
boot uefi-cd uefi cd || st=1
boot uefi-usb uefi usb || st=1
exit $st
