#!/usr/bin/env bash
# Boots the single-node example with a third initramfs layer holding a check
# script as rdinit: every component binary of the base must start (its
# libraries were resolved from the components), busybox modprobe must load
# modules with their dependencies from the regenerated modules.dep, the
# kernel must autoload nf_tables through modules.alias when iptables asks,
# the TLS roots must be there, and dockerd must come up with its bridge and
# iptables rules.  (Debian's busybox sh runs its own applets
# before PATH, so e2fsprogs is called by full path.)
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
OUT=${EXAMPLE_OUT:-$BUILD/example/single-node}
NODE=paddock-single
[ -f "$OUT/base.img" ] || fail "$OUT: no built example (run make example-image)"

mkdir -p "$QEMU_TMP/check"
cat >"$QEMU_TMP/check/check" <<'SCRIPT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
say() { echo "$*" >/dev/console; }
run() {
	out=$("$@" 2>&1)
	rc=$?
	case "$out" in *"error while loading shared libraries"*|*"not found"*) rc=127 ;; esac
	if [ $rc -ge 126 ]; then say "check FAIL: $* (exit $rc): $out"; else say "check ok: $*: $(echo "$out" | head -n 1)"; fi
}
run dockerd --version
run docker-proxy --help
run containerd --version
run containerd-shim-runc-v2 -v
run runc --version
run xtables-nft-multi iptables --version
run iptables --version
run /sbin/sfdisk --version
run paddock-provisioner --help
run /sbin/mke2fs -V
run mkfs.ext4 -V
run e2fsck -V
if modprobe br_netfilter && [ -d /sys/module/bridge ] && [ -d /sys/module/llc ]; then
	say "check ok: modprobe br_netfilter loaded bridge and llc"
else
	say "check FAIL: modprobe br_netfilter"
fi
modprobe overlay && grep -q overlay /proc/filesystems && say "check ok: overlay" || say "check FAIL: overlay"
if iptables -t nat -L -n >/dev/null 2>&1 && [ -d /sys/module/nf_tables ]; then
	say "check ok: iptables nat table (nf_tables autoloaded)"
else
	say "check FAIL: iptables -t nat -L: $(iptables -t nat -L -n 2>&1 | head -n 2)"
fi
[ -s /etc/ssl/certs/ca-certificates.crt ] && grep -q 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt &&
	say "check ok: ca-certificates.crt" || say "check FAIL: ca-certificates.crt"
grep -q '^node.name=paddock-single$' /etc/paddock/node.conf && say "check ok: node.conf" || say "check FAIL: node.conf"
# System Docker from these parts alone, with its default bridge and iptables
# rules (DOCKER_RAMDISK: no pivot_root on the initramfs root)
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts /dev/shm /var/lib/system-docker
mount -t devpts devpts /dev/pts
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
DOCKER_RAMDISK=true dockerd -H unix:///run/system-docker.sock --data-root /var/lib/system-docker \
	--exec-root /run/system-docker --pidfile /run/system-docker.pid >/tmp/dockerd.log 2>&1 &
i=0
while [ $i -lt 120 ] && ! grep -q 'API listen on' /tmp/dockerd.log; do sleep 0.5; i=$((i + 1)); done
if grep -q 'API listen on' /tmp/dockerd.log && grep -q 'Loading containers: done' /tmp/dockerd.log; then
	say "check ok: dockerd serves its API"
else
	say "check FAIL: dockerd: $(grep -E 'level=(error|fatal)' /tmp/dockerd.log | tail -n 3)"
fi
say "check done"
poweroff -f
SCRIPT
chmod 0755 "$QEMU_TMP/check/check"
(cd "$QEMU_TMP/check" && echo check | cpio --quiet -o -H newc -R 0:0) >"$QEMU_TMP/check.cpio"
cat "$OUT/base.img" "$OUT/$NODE/node.img" "$QEMU_TMP/check.cpio" >"$QEMU_TMP/initrd.img"

qemu_start vm -m 1024 -kernel "$OUT/$NODE/vmlinuz" -initrd "$QEMU_TMP/initrd.img" \
	-append "$(cat "$OUT/$NODE/cmdline") rdinit=/check" \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 || fail "qemu did not start"
qemu_wait vm '^check done' 120 || fail "check script did not finish"
log=$(qemu_log vm)
tr -d '\r' <"$log" | grep '^check '
qemu_wait_exit vm 30 >/dev/null || true
n=$(tr -d '\r' <"$log" | grep -c '^check ok')
if tr -d '\r' <"$log" | grep -q '^check FAIL'; then fail "some checks failed"; fi
[ "$n" -ge 17 ] || fail "only $n checks passed"
echo "PASS: $n checks"
