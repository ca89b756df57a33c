#!/usr/bin/env bash
# qemu-tests/k8s-images.sh: the Kubernetes test images, as docker-archive
# tarballs, built by paddock's own image engine (qemu-tests/list-image:
# the .list directives of the bundled images) from
#   - Kubernetes v1.20.2 built from Debian's source, ../shared/k8s/ beside
#     the source tree ($PADDOCK_SHARED overrides ../shared), its SHA256SUMS
#     checked, unpacked into build/qemu-tests/k8s/bin;
#   - Debian 12 packages pinned in qemu-tests/k8s/components.lock (tests
#     only, not configs/components.lock), fetched into the component cache
#     ($PADDOCK_CACHE) by `paddock components --lock`.
# Tests only: never in the product, never under Rancher's names.
#
#   qemu-tests/k8s-images.sh OUTDIR [REGISTRY USER PASSWORD]
#
# Writes OUTDIR/kubernetes.tar, pause.tar, nginx-proxy.tar, httpd.tar (one
# image each; an image whose inputs did not change is not built again) and
# prints one line per image: TAG, a tab, its tarball.  With REGISTRY
# (ADDR:PORT, set up by registry_setup of qemu-tests/registry-lib.sh, whose
# REG_DIR and REG_EXEC it uses), each is also pushed there under its tag:
#   paddock-test/kubernetes:v1.20.2-debian  paddock-test/pause:3.4-debian
#   paddock-test/nginx-proxy:1-debian       paddock-test/httpd:1
# Exit status 77 when ../shared/k8s is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ $# = 1 ] || [ $# = 4 ] || { echo "usage: $0 OUTDIR [REGISTRY USER PASSWORD]" >&2; exit 2; }
OUT=$1
SHARED=${PADDOCK_SHARED:-$ROOT/../shared}
TARBALL=$SHARED/k8s/kubernetes-v1.20.2-debian-amd64.tar.zst
[ -f "$TARBALL" ] || { echo "SKIP: $TARBALL is missing" >&2; exit 77; }
# BUILD as make knows it (the QEMU runner exports an absolute one)
BUILD=$(realpath -m --relative-to=. "${BUILD:-build}")
BIN=$BUILD/qemu-tests/k8s/bin
LOCK=qemu-tests/k8s/components.lock
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
say() { echo "k8s-images: $*" >&2; }

nice -n 15 make -s --no-print-directory BUILD="$BUILD" "$BUILD/paddock" "$BUILD/qemu-tests/list-image" >&2

# the binaries, unpacked and checked once per tarball
tsum=$(sha256sum <"$TARBALL" | cut -d' ' -f1)
if [ "$(cat "$BIN/.tarball" 2>/dev/null)" != "$tsum" ]; then
	t0=$SECONDS
	rm -rf "$BIN" && mkdir -p "$BIN"
	zstd -q -dc --long=27 "$TARBALL" | tar -x -C "$BIN"
	(cd "$BIN" && sha256sum --quiet -c SHA256SUMS) || { say "SHA256SUMS do not match"; rm -rf "$BIN"; exit 1; }
	echo "$tsum" >"$BIN/.tarball"
	say "unpacked and checked $(basename "$TARBALL") ($((SECONDS - t0)) s)"
fi
"$BUILD/paddock" components --lock "$LOCK" >&2

mkdir -p "$OUT"
# name tag list: built when the key of its inputs changed
IMAGES=(
	"kubernetes paddock-test/kubernetes:v1.20.2-debian qemu-tests/k8s/kubernetes.list"
	"pause paddock-test/pause:3.4-debian qemu-tests/k8s/pause.list"
	"nginx-proxy paddock-test/nginx-proxy:1-debian qemu-tests/k8s/nginx-proxy.list"
	"httpd paddock-test/httpd:1 qemu-tests/k8s/httpd.list"
)
for spec in "${IMAGES[@]}"; do
	read -r name tag list <<<"$spec"
	key=$(cat "$list" "$LOCK" "$BIN/.tarball" qemu-tests/k8s/*.sh "$BUILD/qemu-tests/list-image" | sha256sum | cut -d' ' -f1)
	if [ "$(cat "$OUT/.$name.key" 2>/dev/null)" != "$key" ] || [ ! -f "$OUT/$name.tar" ]; then
		t0=$SECONDS
		"$BUILD/qemu-tests/list-image" "$LOCK" "$OUT/$name.tar" "$list" >&2
		echo "$key" >"$OUT/.$name.key"
		say "built $tag: $(du -h "$OUT/$name.tar" | cut -f1) ($((SECONDS - t0)) s)"
	fi
	if [ $# = 4 ]; then
		. qemu-tests/registry-lib.sh
		REG_ADDR=${2%:*} REG_PORT=${2##*:}
		registry_push "$OUT/$name.tar" "$tag" "$3" "$4" || { say "push of $tag to $2 failed"; exit 1; }
	fi
	printf '%s\t%s\n' "$tag" "$OUT/$name.tar"
done
