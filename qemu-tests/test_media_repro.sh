# The boot media are reproducible: two builds a second apart, in different
# directories, give byte-identical ISOs and trees; every date in the ISO is
# SOURCE_DATE_EPOCH.
. qemu-tests/media-lib.sh
set -e
export SOURCE_DATE_EPOCH=1700000000
f=$QEMU_TMP/in
mkdir -p "$f"
head -c 3000000 /dev/urandom >"$f/vmlinuz"
# shellcheck disable=SC2046
python3 qemu-tests/mkfixture.py /bin/sh "$f" $("$MEDIA_TOOL" names configs/ha-3node.yml) >/dev/null
emit() { "$MEDIA_TOOL" emit configs/ha-3node.yml "$1" "$f" - - >"$1.list"; }
emit "$QEMU_TMP/a"
sleep 1.1
emit "$QEMU_TMP/b"
cmp "$QEMU_TMP/a.list" "$QEMU_TMP/b.list"
n=0
while read -r p; do
	cmp "$QEMU_TMP/a/$p" "$QEMU_TMP/b/$p" || fail "$p differs between two builds"
	n=$((n + 1))
done <"$QEMU_TMP/a.list"
echo "$n files identical"
[ "$n" -ge 25 ] || fail "only $n files"
# every date xorriso records, as UTC: 2023-11-14 22:13:20.  xorriso must
# answer, and say what is checked: no output is a failure, not a pass.
iso=$QEMU_TMP/a/node1/node1.iso
[ -s "$iso" ] || fail "no ISO at $iso"
xorriso -indev "$iso" -pvd_info >"$QEMU_TMP/pvd.out" 2>"$QEMU_TMP/xorriso.err" ||
	{ cat "$QEMU_TMP/xorriso.err" >&2; fail "xorriso -pvd_info failed"; }
grep -E '^(Creation|Modif\.|Expir\.|Eff\.) Time *: ' "$QEMU_TMP/pvd.out" | tee "$QEMU_TMP/pvd"
[ "$(grep -cE '^(Creation|Modif\.) Time' "$QEMU_TMP/pvd")" -eq 2 ] ||
	fail "xorriso -pvd_info shows no creation and modification time"
if grep -E '^(Creation|Modif\.) Time' "$QEMU_TMP/pvd" | grep -v ': 2023111422132000$'; then
	fail "volume dates are not SOURCE_DATE_EPOCH"
fi
xorriso -indev "$iso" -find / -exec lsdl >"$QEMU_TMP/ls.out" 2>"$QEMU_TMP/xorriso.err" ||
	{ cat "$QEMU_TMP/xorriso.err" >&2; fail "xorriso -find failed"; }
grep '^[-d]' "$QEMU_TMP/ls.out" >"$QEMU_TMP/ls" || true
for p in /boot/vmlinuz /boot/initrd.img /boot/grub/grub.cfg; do
	grep -q " '$p'\$" "$QEMU_TMP/ls" || fail "xorriso does not list $p in the ISO"
done
if grep -v ' Nov 14  2023 ' "$QEMU_TMP/ls"; then
	fail "a file date in the ISO is not SOURCE_DATE_EPOCH"
fi
echo "ISO dates fixed ($(wc -l <"$QEMU_TMP/ls") files and directories)"
