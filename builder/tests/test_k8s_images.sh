#!/usr/bin/env bash
# The Kubernetes test images (qemu-tests/k8s-images.sh) from the binaries
# in ../shared/k8s and the test-only lock qemu-tests/k8s/components.lock:
# built by paddock's image engine, their programs run in chroots
# (qemu-tests/k8s/check-images.sh), pushed to Debian's docker-registry (TLS,
# htpasswd; qemu-tests/registry-lib.sh) and read back with skopeo inspect;
# a second run builds nothing again.  Skips without ../shared/k8s or root.
. builder/tests/build-helpers.bash
SHARED=${PADDOCK_SHARED:-$ROOT/../shared}
[ -f "$SHARED/k8s/kubernetes-v1.20.2-debian-amd64.tar.zst" ] || skip "$SHARED/k8s is missing"
[ "$(id -u)" = 0 ] || skip "chroot needs root"
for tool in docker-registry skopeo htpasswd openssl jq curl unshare zstd; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (make deps)"
done
qemu-tests/k8s-images.sh "$T/out" >"$T/list" 2>"$T/log" || { cat "$T/log"; fail "k8s-images.sh"; }
cat "$T/log" "$T/list"
[ "$(cut -f1 "$T/list" | tr '\n' ' ')" = "paddock-test/kubernetes:v1.20.2-debian paddock-test/pause:3.4-debian paddock-test/nginx-proxy:1-debian paddock-test/httpd:1 " ] ||
	fail "image list"
qemu-tests/k8s/check-images.sh "$T/out" || fail "the images' programs"
# again: nothing to build
qemu-tests/k8s-images.sh "$T/out" >/dev/null 2>"$T/log2" || fail "k8s-images.sh again"
! grep -q 'built ' "$T/log2" || fail "a second run built again: $(cat "$T/log2")"

. qemu-tests/registry-lib.sh
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pw=$(openssl rand -hex 12)
registry_setup "$T/reg" "$port"
registry_start tester "$pw"
trap 'kill "$REG_PID" 2>/dev/null; wait "$REG_PID" 2>/dev/null; rm -rf "$T"' EXIT
qemu-tests/k8s-images.sh "$T/out" "127.0.0.1:$port" tester "$pw" >/dev/null 2>"$T/log3" ||
	{ cat "$T/log3" "$T/reg/registry.log"; fail "push"; }
while read -r tag tar; do
	registry_inspect "$tag" tester "$pw" >"$T/inspect.json" || fail "skopeo inspect $tag"
	size=$(registry_inspect "$tag" tester "$pw" --raw | jq '[.layers[].size] | add') || fail "$tag: manifest"
	echo "ok   $tag in the registry: $(jq -r .Digest "$T/inspect.json"), $((size / 1024)) KiB of layers, $(du -k "$tar" | cut -f1) KiB as docker-archive"
	[ "$(jq -r .Architecture "$T/inspect.json")" = amd64 ] || fail "$tag: architecture"
done <"$T/list"
jq -e '.Env | index("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")' "$T/inspect.json" >/dev/null ||
	fail "no default PATH"
! registry_inspect paddock-test/httpd:1 tester wrong >/dev/null 2>&1 || fail "the registry took a wrong password"
