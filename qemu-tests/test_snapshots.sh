#!/usr/bin/env bash
# etcd snapshots and restore on the single-node example with a blank state
# disk, the interval shortened (paddock.snapshot_interval_secs: 20) and
# backup_config.retention: 2:
#   - snapshots appear on schedule in /opt/rke/etcd-snapshots, each checked
#     (etcdctl snapshot status), the oldest pruned so that 2 remain;
#   - `paddockctl status` names the last one, verified;
#   - the state disk has 4096-byte sectors (virtio-blk logical_block_size)
#     and keeps etcd's data across every reboot below;
#   - power cut during the first boot's format (QEMU killed on the line
#     that says the partition is written, writes throttled so mkfs.ext4
#     is still running): the disk holds paddock's partition and no file
#     system; the next boot finishes the format and mounts it instead of
#     calling the disk foreign;
#   - the state disk filled up (fallocate from a console shell,
#     paddock.shell): the next snapshot fails with one line saying so, on
#     the console and in `paddockctl status`; the kept ones stay, no
#     partial file is left, etcd stays healthy; once freed, the retry
#     succeeds;
#   - rebuilt with `restore: {restore: true, snapshot_name: <one of them>}`
#     and rebooted on the same disk, etcd is restored from it before it
#     starts and comes up healthy; a third boot of that image does not
#     restore again (the marker in the data folder names the snapshot);
#   - the restored etcd holds the key written before that snapshot and not
#     the one written after it (Debian's etcdctl from the host, through a
#     forwarded port, with the operator's certificates from OUT);
#   - a corrupted snapshot given to restore is refused (console and
#     `paddockctl status`), and the next boot's etcd has its data;
#   - after the restore and after that reboot, the single node takes a
#     new snapshot on schedule (it is the only peer: a voter).
# Prints power-on -> first snapshot and the snapshots' sizes.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
command -v etcdctl >/dev/null || skip "no etcdctl (Debian's etcd-client)"
SERVICES="syslog ntp sshd docker"
NODE=paddock-single
T=$QEMU_TMP
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
rm -f "$T/id.pub"
truncate -s 2G "$T/disk.img"

config() {
	sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" -e 's|^  formats:.*|  formats: [kernel]\n  snapshot_interval_secs: 20|' \
		-e 's|^      retention: 4|      retention: 2|' configs/single-node.yml >"$T/cluster.yml"
	[ -n "${1:-}" ] && printf 'restore:\n  restore: true\n  snapshot_name: %s\n' "$1" >>"$T/cluster.yml"
	rm -rf "$T/out"
	(cd "$T" && "$PADDOCK" build cluster.yml -q -o out 2>"$T/build.err") || { cat "$T/build.err"; fail "paddock build"; }
	cat "$T/out/base.img" "$T/out/$NODE/node.img" >"$T/initrd.img"
}

boot() {
	PORT=$(free_port)
	EPORT=$(free_port)
	qemu_start vm -m 1536 -kernel "$T/out/$NODE/vmlinuz" -initrd "$T/initrd.img" \
		-append "$(cat "$T/out/$NODE/cmdline") paddock.shell" \
		-drive file="$T/disk.img",format=raw,if=none,id=sd${DRIVE_OPTS:-} \
		-device virtio-blk-pci,drive=sd,logical_block_size=4096,physical_block_size=4096 \
		-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$PORT-:22,hostfwd=tcp:127.0.0.1:$EPORT-:2379" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01 || fail "qemu did not start"
	qemu_wait vm '^paddock: init ok [0-9.]+' 240 || fail "no init marker"
	[ "${1:-}" = etcd-fails ] && return 0
	qemu_wait_services vm "$SERVICES"
	ssh_up
}
ssh_up() { for i in $(seq 1 30); do nssh "$NODE" true 2>/dev/null && break; sleep 2; done; }

nssh() { fwd_ssh "$PORT" "$@"; }

# etcdctl with the operator's files, through the forwarded client port
# (the server's certificate names 127.0.0.1)
ectl() {
	with_etcdctl_env "$T/out" timeout 30 etcdctl --endpoints="https://127.0.0.1:$EPORT" --dial-timeout=5s \
		--command-timeout=20s "$@"
}
log() { tr -d '\r' <"$(qemu_log vm)"; }
# part_start: the first 4 KiB sector of paddock's partition on the disk
part_start() { fdisk -b 4096 -l -o Start,Name "$T/disk.img" | awk '$2 == "PADDOCK_STATE" { print $1 }'; }
count() { log | grep -c "$1"; }
# at_least PATTERN N SECS: waits until N console lines match PATTERN
at_least() {
	local end=$(( $(date +%s) + $3 ))
	until [ "$(count "$1")" -ge "$2" ]; do
		[ "$(date +%s)" -gt "$end" ] && return 1
		sleep 1
	done
}

config
grep -q '^etcd.snapshot.interval_secs=20$' <(zstd -dc "$T/out/$NODE/node.img" | cpio -i --quiet --to-stdout etc/paddock/node.conf) ||
	fail "node.conf lacks etcd.snapshot.interval_secs=20"
# the power cut: writes at 64 KiB/s, so that sfdisk's GPT (tens of KiB)
# takes about a second and mkfs.ext4 (lazy init, still some MiB of
# bitmaps, descriptors and backups, flushed before its primary superblock)
# tens of seconds; QEMU killed on the line between the two
DRIVE_OPTS=,throttling.bps-write=65536 boot etcd-fails
qemu_wait vm "^paddock: state disk /dev/vda: partition /dev/vda1 written; making its file system" 120 ||
	fail "no line between the partition and the file system"
kill -KILL "${QEMU_PID[vm]}"
qemu_stop vm
start=$(part_start)
[ -n "$start" ] || { fdisk -b 4096 -l "$T/disk.img"; fail "the cut disk holds no PADDOCK_STATE partition (4 KiB sectors)"; }
fstype=$(blkid -p -O $((start * 4096)) -s TYPE -o value "$T/disk.img" 2>/dev/null)
[ -z "$fstype" ] || fail "the cut came too late: the partition holds a whole $fstype file system already"
echo "power cut during the format: PADDOCK_STATE at sector $start (4 KiB), no file system yet"
boot
log | grep -E '^paddock: state disk' | sed 's/^/guest: /'
log | grep -q "^paddock: state disk /dev/vda: paddock's partition /dev/vda1 has no file system (a format cut short): finishing the format" ||
	fail "the format cut short was not finished"
log | grep -q '^paddock: state disk /dev/vda1 on /var/lib/paddock (its format, cut short before, finished on this boot)' ||
	fail "the finished state disk is not mounted"
qemu_console vm 'echo "sector-size: $(cat /sys/block/vda/queue/logical_block_size)"'
qemu_wait vm '^sector-size: 4096$' 30 || fail "the guest's state disk has no 4096-byte sectors"
qemu_wait vm '^paddock: etcd healthy' 240 || { log | grep -E 'etcd' | tail; fail "etcd not healthy"; }
ectl put paddock-test/before kept >/dev/null || fail "etcdctl put before any snapshot"
qemu_wait vm '^paddock: etcd snapshot etcd-snapshot_[^ ]*: [0-9]+ bytes.*checked' 240 ||
	{ log | grep -E 'etcd|snapshot' | tail -20; fail "no snapshot within 240 s of boot"; }
echo "power-on -> first checked snapshot: $(qemu_elapsed vm) s"
# the state disk full once 2 snapshots are kept (a root shell on the
# console fills it with fallocate, halving the size down to 4 KiB): the
# next snapshot fails with one line saying so, on the console and in
# `paddockctl status`, leaves no partial file and keeps the snapshots it
# had; etcd stays healthy.  The filler removed, the next try succeeds.
checked='etcd snapshot etcd-snapshot_.*checked'
at_least "$checked" 2 120 || fail "no second snapshot"
full0=$(date +%s)
qemu_console vm 'fill() { s=$(( $(stat -f -c "%f*%S" /var/lib/paddock) )); while [ $s -ge 4096 ]; do fallocate -l $s /var/lib/paddock/filler.$n 2>/dev/null && n=$((n+1)) || s=$((s/2)); done; }; n=0; fill; (while sleep 1; do fill; done) & echo $! >/tmp/filler.pid; sleep 3; echo "disk-full: $n files, $(stat -f -c "%a" /var/lib/paddock) blocks free"'
# (kept full: a snapshot running meanwhile frees its container's blocks
# when it ends; the shell says it 3 s later, apart from the line of a
# snapshot due at once on the console)
qemu_wait vm '^paddock: etcd snapshot failed: ' 90 || { log | grep -E 'etcd|snapshot|disk-full' | tail; fail "no failed snapshot on the full disk"; }
qemu_wait vm '^disk-full: ' 30 || fail "the disk was not filled"
nchecked=$(count "$checked")
log | grep -aE '^disk-full|^paddock: etcd snapshot failed' | sed 's/^/guest: /'
log | grep -qE '^paddock: etcd snapshot failed: no space left on the state disk \([0-9]+ MiB free in /opt/rke/etcd-snapshots\); older snapshots kept, next try in 20 s$' ||
	fail "the console does not say the snapshot failed for a full disk"
# the folder holds what the console said: the snapshots checked and not
# removed, nothing else (no partial file, none pruned by the failure)
kept=$(log | sed -n 's/^paddock: etcd snapshot \(etcd-snapshot_[^ ]*\): [0-9]* bytes.*checked.*/\1/p' |
	while read -r s; do log | grep -q "snapshot $s removed" || echo "$s"; done | LC_ALL=C sort | tr '\n' ' ')
qemu_console vm "printf '%s\n' $kept >/tmp/kept; ls /opt/rke/etcd-snapshots | cmp -s - /tmp/kept && echo \"snapshots-as-kept: \$(wc -l </tmp/kept)\" || ls /opt/rke/etcd-snapshots | sed 's/^/snapshots-unexpected: /'"
qemu_wait vm '^snapshots-(as-kept|unexpected): ' 30 || fail "no listing of the snapshots"
log | grep -aE '^snapshots-(as-kept|unexpected): ' | sed 's/^/guest: /'
log | grep -qE '^snapshots-as-kept: 2$' || fail "the folder is not the 2 snapshots kept: $kept"
st=$(nssh "$NODE" paddockctl status) || fail "paddockctl status on the full disk"
echo "$st" | grep -E '^(provisioner|etcd snapshot failed):' | sed 's/^/status: /'
echo "$st" | grep -qE '^etcd snapshot failed: no space left on the state disk \([0-9]+ MiB free in /opt/rke/etcd-snapshots\)$' ||
	fail "paddockctl status does not say the snapshot failed for a full disk"
echo "$st" | grep -qE '^provisioner: etcd healthy ' || fail "paddockctl status: etcd not healthy on the full disk"
ectl endpoint health || fail "etcd not healthy on the full disk"
qemu_console vm 'kill $(cat /tmp/filler.pid); sleep 1; rm -f /var/lib/paddock/filler.*; echo "filler-removed: $(stat -f -c "%a" /var/lib/paddock) blocks free"'
qemu_wait vm '^filler-removed: ' 30 || fail "the filler was not removed"
at_least "$checked" $((nchecked + 1)) 90 || { log | grep -E 'snapshot' | tail; fail "no snapshot once the disk had room"; }
echo "disk full, snapshot failed, retried: $(( $(date +%s) - full0 )) s"
# more every 20 s (or as fast as the guest takes them): the oldest pruned
at_least 'snapshot .* removed (keeping 2)' 1 600 || { log | grep -E 'snapshot' | tail; fail "no snapshot pruned"; }
echo "power-on -> first pruned: $(qemu_elapsed vm) s"
log | grep -E '^paddock: etcd snapshot' | sed 's/^/guest: /'
[ "$(count 'etcd snapshot failed')" = 1 ] || fail "a snapshot failed beside the full disk's"
st=$(nssh "$NODE" paddockctl status) || fail "paddockctl status"
echo "$st" | grep 'last etcd snapshot:' | sed 's/^/status: /'
echo "$st" | grep -q 'etcd snapshot failed' && fail "paddockctl status: a snapshot failed still, after one succeeded"
last=$(echo "$st" | sed -n 's/^last etcd snapshot: \(etcd-snapshot_paddock-single_[0-9]\{8\}T[0-9]\{6\}Z\) (.*, [0-9]* bytes, verified; [0-9]* kept)$/\1/p')
[ -n "$last" ] || { echo "$st"; fail "paddockctl status shows no verified last snapshot"; }
# the folder as the provisioner counts it (sshd's container does not see /opt)
echo "$st" | grep -q "^last etcd snapshot: $last (.*, verified; 2 kept)\$" || fail "the status does not count 2 kept snapshots"
# a second key, written after the snapshots: the restore must bring back
# the first key and not this one.  The snapshot restored is the newest one
# finished before this write and still kept at the power-off.
nlines=$(log | wc -l)
ectl put paddock-test/after lost >/dev/null || fail "etcdctl put after the snapshots"
qemu_powerdown_clean vm
pick=$(log | head -n "$nlines" | sed -n 's/^paddock: etcd snapshot \(etcd-snapshot_[^ ]*\): [0-9]* bytes.*checked.*/\1/p' |
	while read -r s; do log | grep -q "snapshot $s removed" || echo "$s"; done | tail -n 1)
[ -n "$pick" ] || { log | grep -E "snapshot" | tail -n 12; fail "no kept snapshot finished before the second key"; }
# a copy of $pick for the corrupted-snapshot step below, taken now: the
# restored node's own snapshots may prune it
part="$T/disk.img?offset=$(( $(part_start) * 4096 ))"
debugfs -R "dump etcd-snapshots/$pick $T/snap.db" "$part" 2>/dev/null && [ -s "$T/snap.db" ] ||
	fail "cannot copy $pick off the state disk"
config "$pick"
boot
qemu_wait vm "^paddock: etcd restored from $pick" 120 || { log | grep -E 'etcd|restore' | tail; fail "no restore"; }
qemu_wait vm '^paddock: etcd healthy' 120 || { log | grep etcd | tail; fail "etcd not healthy after the restore"; }
log | grep -E 'restored|etcd healthy' | sed 's/^/guest: /'
[ "$(ectl get --print-value-only paddock-test/before)" = kept ] || fail "the restored etcd lacks the key written before $pick"
[ -z "$(ectl get --print-value-only paddock-test/after)" ] || fail "the restored etcd holds the key written after $pick"
echo "restored etcd: paddock-test/before kept, paddock-test/after absent"
# the restored single node takes snapshots on schedule again
qemu_wait vm '^paddock: etcd snapshot etcd-snapshot_[^ ]*: [0-9]+ bytes.*checked' 90 ||
	{ log | grep -E 'etcd|snapshot' | tail; fail "no snapshot after the restore"; }
log | grep -E '^paddock: etcd snapshot' | head -n 1 | sed 's/^/guest: /'
qemu_powerdown_clean vm

# a corrupted snapshot given to restore: a copy of $pick whose bolt meta
# pages are zeroed, put on the powered-off state disk with debugfs (the
# partition's offset from fdisk); etcd is not started from it and its
# data is left as it was
bad=etcd-snapshot_paddock-single_corrupted
dd if=/dev/zero of="$T/snap.db" bs=4096 count=2 conv=notrunc status=none
debugfs -w -R "write $T/snap.db etcd-snapshots/$bad" "$part" >/dev/null 2>&1 || fail "cannot put $bad on the disk"
config "$bad"
boot etcd-fails
qemu_wait vm "^paddock: etcd FAILED: .*restore: snapshot $bad does not check out; etcd not started from it, its data left as it was" 180 ||
	{ log | grep -E 'etcd|restore' | tail; fail "the corrupted snapshot was not refused"; }
# sshd, an os-service, starts 60 s after etcd's failed start
qemu_wait vm '^paddock: service sshd running [0-9.]+' 240 || fail "sshd not running beside the failed etcd"
ssh_up
st=$(nssh "$NODE" paddockctl status) || fail "paddockctl status"
echo "$st" | grep -q "snapshot $bad does not check out" || { echo "$st"; fail "paddockctl status does not say why etcd stopped"; }
# and how to get out: the snapshots that check out (not $bad), the two ways
good=$(echo "$st" | sed -n 's/.*Snapshots in \/opt\/rke\/etcd-snapshots that check out: \([^.]*\)\. To go on, either set restore\.snapshot_name in cluster\.yml to one of them, or remove restore: from cluster\.yml.*/\1/p')
echo "status names the snapshots that check out: $good"
echo "$good" | grep -qE '^etcd-snapshot_paddock-single_[0-9]{8}T[0-9]{6}Z(, etcd-snapshot_paddock-single_[0-9]{8}T[0-9]{6}Z)*$' ||
	{ echo "$st"; fail "paddockctl status does not name the good snapshots and the two ways forward"; }
log | grep -q "etcd restored from $bad" && fail "restored from the corrupted snapshot"
log | grep -E "^paddock: etcd FAILED: .*$bad" | head -n 1 | sed 's/^/guest: /'
qemu_stop vm

# the restore of $pick again: done once already (the marker), so etcd
# starts from the data it had, with the key restored earlier
config "$pick"
boot
qemu_wait vm '^paddock: etcd healthy' 120 || fail "etcd not healthy on the fourth boot"
[ "$(count 'etcd restored from')" = 0 ] || fail "restored again on the fourth boot"
[ "$(ectl get --print-value-only paddock-test/before)" = kept ] || fail "the data did not survive the refused restore"
echo "corrupted snapshot refused, data kept: paddock-test/before still there"
# a reboot of the single node with its data: snapshots on schedule again
qemu_wait vm '^paddock: etcd snapshot etcd-snapshot_[^ ]*: [0-9]+ bytes.*checked' 90 ||
	{ log | grep -E 'etcd|snapshot' | tail; fail "no snapshot after the reboot"; }
log | grep -E '^paddock: etcd snapshot' | head -n 1 | sed 's/^/guest: /'
qemu_powerdown_clean vm
echo "PASS: snapshots every 20 s, pruned to 2, status shows $last; a full disk failed one snapshot (said so, nothing lost, retried); restored from $pick once, with the keys it held; a corrupted snapshot refused, the data kept; snapshots on schedule after the restore and after a reboot"
