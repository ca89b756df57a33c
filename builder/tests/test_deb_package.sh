#!/usr/bin/env bash
# make deb: the package holds the program, the image programs, the data and
# the man page, names the runtime libraries and the boot-loader packages in
# Depends:, installs with dpkg into a throwaway root, where `paddock
# --version`, `man paddock` and `paddock components` (its lock found beside
# the binary) work, and removes cleanly.  lintian is run when installed.
. builder/tests/build-helpers.bash
command -v dpkg-deb >/dev/null || skip "dpkg-deb is not installed"
make -s -C "$ROOT" deb BUILD="$BUILD_DIR" DEB_DIR="$T/deb" >"$T/make.log" 2>&1 || { cat "$T/make.log"; fail "make deb"; }
tail -n1 "$T/make.log"
version=$("$PADDOCK" --version | cut -d' ' -f2)
deb=$T/deb/paddock_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $deb"
dpkg-deb --info "$deb" >"$T/info" || fail "dpkg-deb --info"
field() { sed -n "s/^ $1: //p" "$T/info"; }
[ "$(field Package)" = paddock ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), paddock says $version"
depends=$(field Depends)
for p in libc6 libyaml-0-2 libarchive13 libcurl4 libssl3 libzstd1 liblzma5 zlib1g \
	isolinux syslinux-common pxelinux grub-efi-amd64-bin grub-common mtools xorriso zstd; do
	grep -qE "(^|, )$p( |,|$)" <<<"$depends" || fail "Depends: lacks $p: $depends"
done
echo "Depends: $depends"
dpkg-deb --contents "$deb" >"$T/contents" || fail "dpkg-deb --contents"
for f in usr/bin/paddock usr/lib/paddock/initrd/init usr/lib/paddock/initrd/paddock-services \
	usr/lib/paddock/initrd/paddockctl usr/share/paddock/configs/base.list \
	usr/share/paddock/configs/components.lock usr/share/paddock/configs/modules.list \
	usr/share/paddock/os-services/sshd.yml usr/share/man/man1/paddock.1.gz \
	usr/share/doc/paddock/copyright usr/share/doc/paddock/changelog.Debian.gz; do
	grep -q " \./$f$" "$T/contents" || fail "$f not in the package"
done
! grep -v '^[-dl][rwxs-]* root/root ' "$T/contents" | grep -q . || fail "a file not owned by root"
if command -v lintian >/dev/null; then
	lintian --fail-on error "$deb" || fail "lintian errors"
else
	echo "note: lintian is not installed here; the package was not checked with it"
fi

# dpkg -i into a throwaway root (its own database; Depends are the host's
# business, not this root's)
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
: >"$R/var/lib/dpkg/status"
dpkg() { command dpkg --root="$R" --log="$T/dpkg.log" --force-depends --force-not-root "$@"; }
dpkg -i "$deb" >"$T/dpkg.out" 2>&1 || { cat "$T/dpkg.out"; fail "dpkg -i"; }
[ "$("$R/usr/bin/paddock" --version)" = "paddock $version" ] || fail "installed paddock --version"
MANPATH=$R/usr/share/man MANWIDTH=80 man -P cat paddock 2>/dev/null | grep -qE '^ *paddock +- +build minimal' ||
	fail "man paddock"
MANWIDTH=80 man -l "$R/usr/share/man/man1/paddock.1.gz" 2>&1 | head -n 3
new_cache "$T/c"
(cd / && env -u PADDOCK_ROOT "$R/usr/bin/paddock" components --cache "$T/c") 2>"$T/log" || { cat "$T/log"; fail "components"; }
grep -q ' 0 fetched, all hashes match' "$T/log" || { cat "$T/log"; fail "installed components did not find its lock"; }
dpkg -r paddock >"$T/dpkg.out" 2>&1 || { cat "$T/dpkg.out"; fail "dpkg -r"; }
left=$(find "$R/usr" \( -type f -o -type l \) 2>/dev/null)
[ -z "$left" ] || fail "left after dpkg -r: $left"
echo PASS
