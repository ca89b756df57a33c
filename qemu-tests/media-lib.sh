# qemu-tests/media-lib.sh: inputs and boot helpers for the boot-media tests.
#
#   . qemu-tests/media-lib.sh
#   media_build OUT CLUSTER.yml FORMATS|- HTTP_BASE|-  # out/<node>/<node>.iso, out/tftp, out/ipxe
#   media_boot NAME FIRMWARE QEMU-ARGS...           # FIRMWARE: bios | bios-sercon | uefi
#
# The media are `paddock build`'s ($PADDOCK).  Only with MEDIA_STANDIN=1 are
# they made by media_emit() (through build/qemu-tests/media-tool) from a
# stand-in image: Debian's kernel and a busybox initramfs whose /init prints
# "paddock: init ok <uptime>" and "paddock: node <name>" and powers off.
# Kernel and busybox are fetched once with apt-get download into
# $BUILD/cache/media-fixture.
. qemu-tests/lib.sh

BUILD=${BUILD:-$PWD/build}
MEDIA_TOOL=${MEDIA_TOOL:-$BUILD/qemu-tests/media-tool}
MEDIA_FLAVOUR=${MEDIA_FLAVOUR:-amd64}        # Debian's generic kernel; "cloud-amd64" is smaller
MEDIA_MEM=${MEDIA_MEM:-1024}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
FIX=$BUILD/cache/media-fixture

# The newest linux-image-<abi>-<flavour> the generic meta package points to.
media_kernel_package() {
	apt-cache depends "linux-image-$MEDIA_FLAVOUR" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1
}

# Fills $FIX with vmlinuz, busybox (static), once.
media_fetch() {
	[ -s "$FIX/vmlinuz-$MEDIA_FLAVOUR" ] && [ -s "$FIX/busybox" ] && return 0
	local dl=$FIX/dl pkg
	mkdir -p "$dl"
	pkg=$(media_kernel_package)
	[ -n "$pkg" ] || { echo "media_fetch: no kernel package for $MEDIA_FLAVOUR (apt-get update?)" >&2; return 1; }
	(cd "$dl" && apt-get download "$pkg" busybox-static >/dev/null 2>&1) ||
		{ echo "media_fetch: apt-get download $pkg busybox-static failed" >&2; return 1; }
	rm -rf "$dl/x" && mkdir "$dl/x"
	for d in "$dl"/*.deb; do dpkg-deb -x "$d" "$dl/x" || return 1; done
	cp "$dl"/x/boot/vmlinuz-* "$FIX/vmlinuz-$MEDIA_FLAVOUR"
	cp "$dl/x/bin/busybox" "$FIX/busybox"
	rm -rf "$dl"
}

# media_build OUT CLUSTER.yml FORMATS|- HTTP_BASE|-: the media of the
# cluster file's nodes (names, MACs, console, menu timeout, kernel args):
# the real images, or with MEDIA_STANDIN=1 the stand-in image through the
# same media_emit_plan().
media_build() {
	local out=$1 cluster=$2 formats=$3 http=$4 names
	if media_have_build; then
		local args=(build -q "$cluster" -o "$out")
		[ "$formats" = - ] || args+=(--formats "kernel,$formats")
		[ "$http" = - ] || args+=(--http-base "$http")
		"$PADDOCK" "${args[@]}"
		return
	fi
	media_fetch || return 1
	names=$("$MEDIA_TOOL" names "$cluster") || return 1
	mkdir -p "$out.fixture"
	cp "$FIX/vmlinuz-$MEDIA_FLAVOUR" "$out.fixture/vmlinuz"
	# shellcheck disable=SC2086 # one word per node name
	python3 qemu-tests/mkfixture.py "$FIX/busybox" "$out.fixture" $names || return 1
	"$MEDIA_TOOL" emit "$cluster" "$out" "$out.fixture" "$formats" "$http"
}

# True when the real images are tested, false with MEDIA_STANDIN=1.  A
# $PADDOCK that cannot make the media fails the test: it never falls back
# to the stand-in quietly.
media_have_build() {
	local help opt
	[ -z "${MEDIA_STANDIN:-}" ] || return 1
	[ -n "${PADDOCK:-}" ] || fail "PADDOCK is not set (MEDIA_STANDIN=1 tests the stand-in image)"
	help=$("$PADDOCK" build --help 2>&1) || fail "$PADDOCK build --help: $help"
	for opt in --formats --http-base; do
		grep -q -- "$opt" <<<"$help" || fail "$PADDOCK build lacks $opt, which the boot media tests use"
	done
}

# media_boot NAME FIRMWARE QEMU-ARGS...: qemu_start with the firmware set up.
# FIRMWARE: bios, bios-sercon (screen copied to the serial log) or uefi.
media_boot() {
	local name=$1 fw=$2
	shift 2
	case "$fw" in
	bios) qemu_start "$name" -m "$MEDIA_MEM" "$@" ;;
	bios-sercon)
		# SeaBIOS copies the screen to COM1, so messages that iPXE and
		# pxelinux print only on the screen reach the log too
		printf '\xf8\x03' >"$QEMU_TMP/sercon-port"
		qemu_start "$name" -m "$MEDIA_MEM" -fw_cfg "name=etc/sercon-port,file=$QEMU_TMP/sercon-port" "$@" ;;
	uefi)
		cp "$OVMF_VARS" "$QEMU_TMP/$name.vars.fd"
		qemu_start "$name" -m "$MEDIA_MEM" \
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
			-drive "if=pflash,format=raw,unit=1,file=$QEMU_TMP/$name.vars.fd" "$@" ;;
	*) echo "media_boot: firmware $fw?" >&2; return 1 ;;
	esac
}

# media_expect_node NAME NODE TIMEOUT: the init marker, the node's own name
# and, with the real image, System Docker up.
media_expect_node() {
	qemu_wait "$1" '^paddock: init ok [0-9.]+$' "$3" || return 1
	qemu_wait "$1" "^paddock: node $2\$" 10 || return 1
	if media_have_build; then
		qemu_wait "$1" '^paddock: System Docker ready' 180 || return 1
	fi
}
