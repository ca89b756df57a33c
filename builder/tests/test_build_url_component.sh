#!/usr/bin/env bash
# A component given as url + sha256 (here a file:// URL) is fetched with
# libcurl into the cache during the build; a wrong hash fails the build with
# expected and actual, leaving OUT and the cache without the bad file.
. builder/tests/build-helpers.bash
new_root "$T/r"
new_cache "$T/c" busybox-static
mkdir -p "$T/srv"
cp "$SHARED_CACHE"/debs/busybox-static_*.deb "$T/srv/busybox.deb"
sha=$(sha256sum <"$T/srv/busybox.deb" | cut -d' ' -f1)
sed -i "s|^deb busybox-static .*|url busybox-static file://$T/srv/busybox.deb $sha|" "$T/r/configs/components.lock"
"$PADDOCK" build "$CLUSTER" -o "$T/out" --cache "$T/c" --root "$T/r" 2>"$T/log" || { cat "$T/log"; fail "build"; }
[ -f "$T/c/debs/busybox-static_$sha.deb" ] || fail "not fetched into the cache"
grep -q "\"name\": \"busybox-static\", \"url\": \"file://$T/srv/busybox.deb\"" "$T/out/manifest.json" || fail "manifest"
old_out "$T/out2"
rm -rf "$T/c/base"
bad=$(printf '%064d' 7)
sed -i "s|^url busybox-static .*|url busybox-static file://$T/srv/busybox.deb $bad|" "$T/r/configs/components.lock"
expect_fail "busybox.deb: sha256 mismatch: expected $bad, got $sha" \
	"$PADDOCK" build "$CLUSTER" -o "$T/out2" --cache "$T/c" --root "$T/r"
same_old_out "$T/out2"
[ ! -e "$T/c/debs/busybox-static_$bad.deb" ] || fail "bad download kept"
ls -a "$T/c/debs" | grep -q 'tmp-' && fail "temporary download left"

# a server that takes the connection and never answers: the build gives up
# within the bound and names the URL without its credentials
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$T/port" &
server=$!
cleanup_server() { kill "$server" 2>/dev/null; }
trap 'cleanup_server; for d in "${cleanup_dirs[@]}"; do umount "$d" 2>/dev/null; rm -rf "$d"; done' EXIT
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
sed -i "s|^url busybox-static .*|url busybox-static http://alice:s3cret@127.0.0.1:$port/busybox.deb $sha|" \
	"$T/r/configs/components.lock"
rm -rf "$T/c/base" "$T/c/debs/busybox-static_$sha.deb" "$T/c/trees/$sha".v*
start=$(date +%s)
PADDOCK_FETCH_TIMEOUT=3 expect_fail "http://127.0.0.1:$port/busybox.deb: given up" \
	"$PADDOCK" build "$CLUSTER" -o "$T/out2" --cache "$T/c" --root "$T/r"
[ $(($(date +%s) - start)) -lt 20 ] || fail "gave up only after $(($(date +%s) - start)) s"
! grep -q 's3cret\|alice' "$T/stderr" || fail "credentials printed"
same_old_out "$T/out2"
echo PASS
