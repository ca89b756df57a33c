# Helpers for the `paddock build` CLI tests (sourced; not a test itself).
# Each test gets a scratch directory, a private cache whose debs/ and trees/
# link to the shared component cache (filled by `make components`), and a
# copy of the source tree's configs/ it may break on purpose.
set -u
ROOT=$(pwd)
: "${PADDOCK:?PADDOCK must name the paddock binary}"
BUILD_DIR=${BUILD_DIR:-$(cd "$(dirname "$PADDOCK")" && pwd)}
CLUSTER=${CLUSTER:-$ROOT/configs/single-node.yml}
SHARED_CACHE=${PADDOCK_CACHE:-$HOME/.cache/paddock}
T=$(mktemp -d "${TMPDIR:-/tmp}/paddock-build-test.XXXXXX")
cleanup_dirs=("$T")
trap 'for d in "${cleanup_dirs[@]}"; do umount "$d" 2>/dev/null; rm -rf "$d"; done' EXIT
# a copy of the cluster file, so its state file (the cluster's keys) is made in T
cp "$CLUSTER" "$T/" && CLUSTER=$T/$(basename "$CLUSTER")
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: cannot be tested here; the runner counts a skip (exit 77), never a pass
skip() { echo "SKIP: $*"; exit 77; }

# new_cache DIR [SKIP-PACKAGE]: a cache linking every shared .deb and its
# unpacked tree, except those of SKIP-PACKAGE.
new_cache() {
	local c=$1 skip=${2:-} f t
	mkdir -p "$c/debs" "$c/trees"
	for f in "$SHARED_CACHE"/debs/*.deb; do
		[ -n "$skip" ] && [[ $(basename "$f") == "${skip}_"* ]] && continue
		ln -s "$f" "$c/debs/"
	done
	[ -d "$SHARED_CACHE/trees" ] || return 0
	while read -r kind name ver arch sha; do
		[ "$kind" = deb ] && [ "$name" != "$skip" ] || continue
		for t in "$SHARED_CACHE/trees/$sha".v*; do
			[ -d "$t" ] && ln -s "$t" "$c/trees/"
		done
	done < <(grep -v '^#' "$ROOT/configs/components.lock")
	return 0
}

# new_root DIR: a source tree with a private copy of configs/ (os-services/,
# provisioner/ and initrd/, which the base takes files from, are shared).
new_root() {
	mkdir -p "$1"
	cp -r "$ROOT/configs" "$1/configs"
	ln -s "$BUILD_DIR" "$1/build"
	ln -s "$ROOT/os-services" "$1/os-services"
	ln -s "$ROOT/initrd" "$1/initrd"
	ln -s "$ROOT/provisioner" "$1/provisioner"
}

# tree_sum DIR: one line per file under DIR with its hash (to compare trees).
tree_sum() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# expect_fail PATTERN CMD...: CMD must exit 1 and print PATTERN (grep -E) on stderr.
expect_fail() {
	local pat=$1 rc
	shift
	"$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	sed 's/^/  stderr: /' "$T/stderr"
	[ $rc -eq 1 ] || fail "exit status $rc, expected 1: $*"
	grep -qE -- "$pat" "$T/stderr" || fail "stderr does not match '$pat'"
}

# old_out DIR: a previous output (marked as paddock's, so a build may
# replace it) to be left alone by failing builds.
old_out() {
	mkdir -p "$1/old-node"
	echo "previous build" >"$1/old-node/node.img"
	printf 'paddock-output 1\n' >"$1/.paddock-output"
	tree_sum "$1" >"$T/old.sum"
}

# same_old_out DIR: DIR still holds exactly what old_out put there, and no
# temporary is left beside it.
same_old_out() {
	diff "$T/old.sum" <(tree_sum "$1") >/dev/null || fail "$1 changed"
	! ls -a "$(dirname "$1")" | grep -q "^\.$(basename "$1")\.tmp-" || fail "temporary left beside $1"
}

# stand_in_apt_get DIR [DELAY]: puts an apt-get into DIR (put DIR first on
# PATH) that "downloads" NAME=VERSION from the shared cache, DELAY seconds
# a package, and accepts `update`: tests of `paddock components` need no
# mirror.
stand_in_apt_get() {
	mkdir -p "$1"
	cat >"$1/apt-get" <<EOF
#!/usr/bin/env bash
[ "\$1" = update ] && exit 0
[ "\$1" = download ] || { echo "stand-in apt-get: only download and update" >&2; exit 100; }
shift
skip=
for a in "\$@"; do
	[ -n "\$skip" ] && { skip=; continue; }
	case "\$a" in -o) skip=1; continue ;; -*) continue ;; esac
	n=\${a%%=*} v=\${a#*=}
	f=\$(ls "$SHARED_CACHE/debs/\${n}_\${v//:/%3a}_"*.deb 2>/dev/null | head -n1)
	[ -n "\$f" ] || { echo "E: Unable to locate package \$a" >&2; exit 100; }
	sleep ${2:-0}
	cp "\$f" . || exit 100
done
EOF
	chmod +x "$1/apt-get"
}
