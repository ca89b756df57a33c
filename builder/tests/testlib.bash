# Helpers for the CLI tests (sourced).  PADDOCK is the binary under test;
# the working directory is the repository root.
set -u
: "${PADDOCK:?PADDOCK must point at the paddock binary}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0

# skip REASON: this test cannot run here; the runner counts it as skipped
# (exit 77) and lists REASON.  Never a pass.
skip() { echo "SKIP: $*"; exit 77; }

ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

# run ARGS...: runs paddock, sets $rc, $out, $err
run() {
	"$PADDOCK" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# expect_rc N DESC
expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2 (exit $rc)"; else bad "$2: exit $rc, wanted $1; stderr: $(head -c 600 "$TMP/err")"; fi
}

# expect_err REGEX DESC: stderr matches (extended regex)
expect_err() {
	if grep -Eq -- "$1" "$TMP/err"; then ok "$2"; else bad "$2: stderr does not match /$1/: $(head -c 600 "$TMP/err")"; fi
}

# expect_one_error DESC: exactly one non-warning line on stderr
expect_one_error() {
	local n
	n=$(grep -Evc ': (warning|note): ' "$TMP/err")
	if [ "$n" -eq 1 ]; then ok "$1: one error line"; else bad "$1: $n error lines"; fi
}

# shared_dir: prints the shared reference data directory: $PADDOCK_SHARED,
# else ../shared beside the repository (as CI clones it), else, from a git
# worktree, beside the main checkout.  Returns 1 when there is none.
shared_dir() {
	local repo common d
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	common=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)
	for d in ${PADDOCK_SHARED:+"$PADDOCK_SHARED"} "$repo/../shared" ${common:+"$(dirname "$common")/../shared"}; do
		[ -d "$d" ] && (cd "$d" && pwd) && return 0
	done
	return 1
}

# as_nobody CMD...: runs CMD as an unprivileged user when the tests run as
# root (as CI does), so permission checks test what a user sees.  CMD and
# the files it reads must be reachable by that user.
as_nobody() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"
	else
		"$@"
	fi
}

finish() {
	echo "$checks checks, $fails failed"
	[ "$fails" -eq 0 ]
}

# case_ EXIT REGEX DESC <<< yaml: validates the file ($f, numbered by $n, in
# $TMP); the exit code must be EXIT and stderr match "^FILE:REGEX"; an
# invalid file gets exactly one error.
case_() {
	n=$((n + 1))
	f="$TMP/c$n.yml"
	cat >"$f"
	run validate "$f"
	expect_rc "$1" "$3"
	expect_err "^$f:$2" "$3: message"
	[ "$1" -eq 1 ] && expect_one_error "$3"
}

# H: a minimal valid node list, for cases to build on.
H='nodes:
  - address: 10.10.0.11
    user: u
    role: [etcd, controlplane, worker]'
