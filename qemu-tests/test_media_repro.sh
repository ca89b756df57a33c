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
# every date xorriso records, as UTC: 2023-11-14 22:13:20
iso=$QEMU_TMP/a/node1/node1.iso
xorriso -indev "$iso" -pvd_info 2>/dev/null | grep -E '^(Creation|Modif|Expir|Effect)' | tee "$QEMU_TMP/pvd"
grep -E 'Creation|Modif' "$QEMU_TMP/pvd" | grep -vq '2023111422132000' && fail "volume dates are not SOURCE_DATE_EPOCH"
xorriso -indev "$iso" -find / -exec lsdl 2>/dev/null | grep -v 'Nov 14  2023' | grep -q '^[-d]' &&
	fail "a file date in the ISO is not SOURCE_DATE_EPOCH"
echo "ISO dates fixed"
