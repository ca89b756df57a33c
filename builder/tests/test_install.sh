#!/usr/bin/env bash
# make install into a DESTDIR, then the single-node example built with the
# installed binary alone: the checkout out of reach (a tmpfs over it in a
# private mount namespace, where unshare is allowed; else only the working
# directory elsewhere), PADDOCK_ROOT unset, so paddock must find its data
# beside itself (DESTDIR/usr/share/paddock, DESTDIR/usr/lib/paddock).  The
# output is the same as the checkout's build of the same file.  A copy of
# the install at another prefix works too.  make uninstall leaves no file.
. builder/tests/build-helpers.bash
inst=$T/inst
make -s -C "$ROOT" install DESTDIR="$inst" PREFIX=/usr BUILD="$BUILD_DIR" >"$T/make.log" 2>&1 ||
	{ cat "$T/make.log"; fail "make install"; }
for f in bin/paddock lib/paddock/initrd/init lib/paddock/initrd/paddock-services lib/paddock/initrd/paddockctl \
	share/paddock/configs/base.list share/paddock/configs/modules.list share/paddock/configs/components.lock \
	share/paddock/os-services/sshd.yml share/paddock/os-services/images/sshd.list share/man/man1/paddock.1; do
	[ -f "$inst/usr/$f" ] || fail "not installed: $f"
done
echo "installed: $(find "$inst" -type f | wc -l) files, $(du -sk "$inst" | cut -f1) KiB"

# out_of_reach CMD...: runs CMD from / with the checkout hidden
if unshare -m true 2>/dev/null; then
	out_of_reach() {
		unshare -m bash -c 'mount -t tmpfs hidden-checkout "$0" && [ ! -e "$0/configs" ] && cd / &&
			exec env -u PADDOCK_ROOT "$@"' "$ROOT" "$@"
	}
	echo "the checkout is hidden under a tmpfs while the installed paddock runs"
	hidden=1
else
	out_of_reach() { (cd / && exec env -u PADDOCK_ROOT "$@"); }
	echo "note: no mount namespace here; the installed paddock runs from / with PADDOCK_ROOT unset"
	hidden=
fi
new_cache "$T/c"
out_of_reach "$inst/usr/bin/paddock" build "$CLUSTER" -o "$T/out" --cache "$T/c" 2>"$T/log" ||
	{ cat "$T/log"; fail "build with the installed paddock"; }
tail -n1 "$T/log"
[ -f "$T/out/manifest.json" ] || fail "no manifest"
# the checkout's build of the same file (its state file now exists) is the
# same; into an OUT of the same name, which ssh_config names
mkdir -p "$T/second"
"$PADDOCK" build "$CLUSTER" -o "$T/second/out" --cache "$T/c" --root "$ROOT" -q 2>"$T/log" ||
	{ cat "$T/log"; fail "build with the checkout"; }
diff <(tree_sum "$T/out") <(tree_sum "$T/second/out") >&2 || fail "the install builds other bytes than the checkout"

# the install copied to another prefix finds its own data there
mkdir -p "$T/elsewhere"
cp -a "$inst/usr" "$T/elsewhere/opt"
out_of_reach "$T/elsewhere/opt/bin/paddock" components --cache "$T/c" 2>"$T/log" || { cat "$T/log"; fail "components"; }
grep -q "0 fetched, all hashes match" "$T/log" || { cat "$T/log"; fail "copied install: components"; }
rm -rf "$T/elsewhere/opt/share/paddock"
# without its data (and the checkout gone) it says where it looked
if [ -n "$hidden" ]; then
	out_of_reach "$T/elsewhere/opt/bin/paddock" build "$CLUSTER" -o "$T/out3" --cache "$T/c" -q 2>"$T/log"
	[ $? -eq 1 ] || fail "a build without data: exit status not 1"
	cat "$T/log"
	grep -q "paddock's data is neither installed beside it" "$T/log" || fail "no data: message"
fi

make -s -C "$ROOT" uninstall DESTDIR="$inst" PREFIX=/usr BUILD="$BUILD_DIR" >"$T/make.log" 2>&1 ||
	{ cat "$T/make.log"; fail "make uninstall"; }
left=$(find "$inst" ! -type d)
[ -z "$left" ] || fail "left after make uninstall: $left"
! find "$inst" -name '*paddock*' | grep -q . || fail "paddock folders left: $(find "$inst" -name '*paddock*')"
echo PASS
