#!/usr/bin/env bash
# OUT is replaced whole, so paddock replaces only a new or empty directory or
# an earlier output (marked by .paddock-output); anything else is refused
# with nothing touched.  OUT's files are its own (no hard link into the
# cache), and whatever holds a node's secrets is 0600 in 0700 directories.
. builder/tests/build-helpers.bash
new_cache "$T/c"
mkdir -p "$T/w"
fmt=(--formats kernel,initrd,pxe,ipxe)

"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" "${fmt[@]}" || fail "first build"
[ "$(head -n1 "$T/w/out/.paddock-output")" = "paddock-output 1" ] || fail "no marker in OUT"
[ ! -e "$T/w/out/.lock" ] || fail "lock file left in OUT"
# again into the earlier output, and into an empty directory
"$PADDOCK" build "$CLUSTER" -q -o "$T/w/out" --cache "$T/c" "${fmt[@]}" || fail "rebuild into an earlier output"
mkdir "$T/w/empty"
"$PADDOCK" build "$CLUSTER" -q -o "$T/w/empty/" --cache "$T/c" --formats kernel || fail "build into an empty directory"

# modes: the node's files and whatever holds its layer
node=$(basename "$(dirname "$(ls "$T"/w/out/*/node.img | head -n1)")")
for f in "$node/node.img" "$node/initrd.img" "tftp/nodes/$node.img" "ipxe/nodes/$node.img"; do
	[ "$(stat -c %a "$T/w/out/$f")" = 600 ] || fail "$f is $(stat -c %a "$T/w/out/$f"), not 0600"
done
for d in "$node" tftp tftp/nodes ipxe ipxe/nodes; do
	[ "$(stat -c %a "$T/w/out/$d")" = 700 ] || fail "$d/ is $(stat -c %a "$T/w/out/$d"), not 0700"
done

# editing OUT leaves the cache as it was
base=$(ls -d "$T"/c/base/*/ | head -n1)
sum_before=$(cd "$base" && sha256sum base.img vmlinuz)
for f in base.img vmlinuz "$node/vmlinuz"; do
	[ "$(stat -c %i "$T/w/out/$f")" != "$(stat -c %i "$base/base.img")" ] &&
		[ "$(stat -c %i "$T/w/out/$f")" != "$(stat -c %i "$base/vmlinuz")" ] || fail "OUT/$f is the cache's file"
	echo "edited" >>"$T/w/out/$f"
done
[ "$sum_before" = "$(cd "$base" && sha256sum base.img vmlinuz)" ] || fail "editing OUT changed the cache"
grep -q "base.sha256=$(sha256sum <"$base/base.img" | cut -d' ' -f1)" "$base/info" || fail "cache entry no longer matches its info"

# refused, with a message saying how to go on, and nothing touched.  The
# listing holds what the build could touch ($T/w and the base cache, each
# with its own entry) and never a parent: expect_fail writes the test's own
# $T/stdout and $T/stderr into $T, whose mtime is no business of paddock's.
snapshot() {
	find "$T/w" "$T/c/base" -printf '%p %y %m %s %i %T@\n' 2>/dev/null | LC_ALL=C sort
}
refuse() { # DESC PATTERN ARGS...
	local desc=$1 pat=$2
	shift 2

	snapshot >"$T/before.ls"
	expect_fail "$pat" "$PADDOCK" build -q "$@"
	grep -q 'choose an empty or new directory' "$T/stderr" || fail "$desc: no way forward in the message"
	diff "$T/before.ls" <(snapshot) || fail "$desc: something changed"
	echo "ok: $desc"
}
mkdir -p "$T/w/victim/important"
echo "years of work" >"$T/w/victim/important/thesis.txt"
refuse "a foreign directory" 'victim: is not empty and not an earlier paddock output' \
	"$CLUSTER" -o "$T/w/victim" --cache "$T/c"
[ -f "$T/w/victim/important/thesis.txt" ] || fail "thesis lost"
mkdir -p "$T/w/cfgdir"
cp "$CLUSTER" "$T/w/cfgdir/cluster.yml"
printf 'paddock-output 1\n' >"$T/w/cfgdir/.paddock-output"
refuse "OUT holding the input" 'holds .*cluster.yml, the cluster file being built' \
	"$T/w/cfgdir/cluster.yml" -o "$T/w/cfgdir" --cache "$T/c"
refuse "OUT being the input" 'exists and is not a directory|is the cluster file' \
	"$T/w/cfgdir/cluster.yml" -o "$T/w/cfgdir/cluster.yml" --cache "$T/c"
refuse "the cache" "is paddock's cache" "$CLUSTER" -o "$T/c" --cache "$T/c"
refuse "inside the cache" "lies inside .*, paddock's cache" "$CLUSTER" -o "$T/c/out" --cache "$T/c"
# a directory holding a cache (and not the cluster file, which is checked first)
mkdir -p "$T/w/ch" && new_cache "$T/w/ch/c"
refuse "holding the cache" "holds .*, paddock's cache" "$CLUSTER" -o "$T/w/ch" --cache "$T/w/ch/c"
new_root "$T/w/src"
refuse "the --root tree" 'is the source tree' "$CLUSTER" -o "$T/w/src" --cache "$T/c" --root "$T/w/src"
mkdir -p "$T/w/home"
HOME=$T/w/home refuse "\$HOME" 'is your home directory' "$CLUSTER" -o "$T/w/home" --cache "$T/c"
HOME=$T/w/home refuse "what holds \$HOME" 'holds .*, your home directory' "$CLUSTER" -o "$T/w" --cache "$T/c"
expect_fail 'not usable as an output directory' "$PADDOCK" build -q "$CLUSTER" -o / --cache "$T/c"
echo PASS
