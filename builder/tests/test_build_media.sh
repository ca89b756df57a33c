#!/usr/bin/env bash
# paddock build writes the boot media: by default every format of the
# cluster file (ISO per node, tftp/, ipxe/), listed in manifest.json and
# SHA256SUMS; --formats chooses; --http-base goes into the iPXE scripts;
# a missing boot loader names its Debian package.
. builder/tests/build-helpers.bash
new_cache "$T/c"
cp "$ROOT/configs/ha-3node.yml" "$T/" # its state file goes beside it
HA=$T/ha-3node.yml

"$PADDOCK" build "$HA" -q -o "$T/all" --cache "$T/c" --http-base http://192.0.2.1/pxe || fail "build"
for f in node1/node1.iso node2/node2.iso node3/node3.iso tftp/pxelinux.0 tftp/ldlinux.c32 \
	tftp/vmlinuz tftp/base.img tftp/nodes/node2.img tftp/pxelinux.cfg/default \
	tftp/pxelinux.cfg/01-52-54-00-00-02-03 ipxe/boot.ipxe ipxe/52-54-00-00-02-01.ipxe \
	ipxe/vmlinuz ipxe/base.img ipxe/nodes/node3.img node1/initrd.img; do
	[ -s "$T/all/$f" ] || fail "no $f"
	grep -q "  $f\$" "$T/all/SHA256SUMS" || fail "$f not in SHA256SUMS"
done
(cd "$T/all" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match"
python3 - "$T/all/manifest.json" <<'PY' || fail "manifest"
import json, sys
m = json.load(open(sys.argv[1]))
media = {f["path"] for f in m["media"]}
assert "tftp/pxelinux.cfg/01-52-54-00-00-02-01" in media and "ipxe/boot.ipxe" in media, media
n1 = [n for n in m["nodes"] if n["name"] == "node1"][0]
assert "node1/node1.iso" in {f["path"] for f in n1["files"]}, n1
PY
grep -q '^chain http://192.0.2.1/pxe/${net0/mac:hexhyp}.ipxe' "$T/all/ipxe/boot.ipxe" || fail "--http-base not used"
grep -q 'kernel --name vmlinuz http://192.0.2.1/pxe/vmlinuz .*paddock.node=node1' "$T/all/ipxe/52-54-00-00-02-01.ipxe" ||
	fail "node script: kernel line"
grep -q 'INITRD base.img,nodes/node3.img' "$T/all/tftp/pxelinux.cfg/01-52-54-00-00-02-03" || fail "pxelinux config"
[ "$(stat -c %a "$T/all/node1/node1.iso")" = 600 ] || fail "ISO not 0600"
[ "$(stat -c %a "$T/all/tftp")" = 700 ] || fail "tftp/ not 0700"

# the cluster file's http_base when no flag
"$PADDOCK" build "$HA" -q -o "$T/cfg" --cache "$T/c" --formats kernel,ipxe || fail "ipxe build"
grep -q 'http://10.10.0.1:8080/paddock/${net0/mac:hexhyp}.ipxe' "$T/cfg/ipxe/boot.ipxe" || fail "paddock.http_base not used"
[ ! -e "$T/cfg/tftp" ] && [ ! -e "$T/cfg/node1/node1.iso" ] || fail "--formats kernel,ipxe made more"

"$PADDOCK" build "$HA" -q -o "$T/k" --cache "$T/c" --formats kernel || fail "kernel build"
[ ! -e "$T/k/tftp" ] && [ ! -e "$T/k/ipxe" ] && [ ! -e "$T/k/node1/node1.iso" ] || fail "--formats kernel made media"
grep -q '"media": \[\]' "$T/k/manifest.json" || fail "manifest media not empty"

# a missing boot loader: the build fails, names the package, leaves OUT alone
mkdir -p "$T/empty"
if "$PADDOCK" build "$HA" -q -o "$T/k" --cache "$T/c" --formats kernel,pxe --syslinux-dir "$T/empty" 2>"$T/err"; then
	fail "built without pxelinux.0"
fi
grep -q 'pxelinux.0 not found in --syslinux-dir' "$T/err" || { cat "$T/err"; fail "message"; }
[ ! -e "$T/k/tftp" ] || fail "failed build changed OUT"
if "$PADDOCK" build "$HA" -q -o "$T/g" --cache "$T/c" --formats iso --grub-dir "$T/empty" 2>"$T/err"; then
	fail "built without GRUB"
fi
grep -q -- "--grub-dir $T/empty: no GRUB x86_64-efi modules" "$T/err" || { cat "$T/err"; fail "grub message"; }
echo "PASS: media built, listed and checked"
