#!/usr/bin/env bash
# A damaged state file is never taken for a new cluster: truncated to zero
# bytes (what a crash in the middle of an unsynced save could leave) or cut
# in half, `paddock build` fails, names what to restore (<state>.bak: the
# state before the last save, or the first save's own copy) and makes no new CA;
# restoring the named backup gives the same CA again.
. builder/tests/build-helpers.bash
new_cache "$T/c"
STATE=${CLUSTER%.yml}.paddock-state
build() { "$PADDOCK" build "$CLUSTER" -o "$T/$1" --cache "$T/c" --formats kernel; }

build out >/dev/null 2>"$T/build1.err" || { cat "$T/build1.err"; fail "first build"; }
CA=$T/out/etcd/ca.pem
[ -s "$CA" ] || fail "no etcd/ca.pem in OUT"
cp -p "$STATE" "$T/state.first"

# the first save keeps a copy of itself as .bak (a copy: a cut of the
# state file in place leaves it whole)
cmp -s "$STATE.bak" "$STATE" || fail "no $STATE.bak equal to the first build's state"
[ "$(stat -c %i "$STATE.bak")" != "$(stat -c %i "$STATE")" ] || fail "$STATE.bak is a link to the state file"
: >"$STATE"
cmp -s "$STATE.bak" "$T/state.first" || fail "$STATE.bak was cut with the state file"
expect_fail "paddock-state: empty: the cluster state is damaged; restore it from $STATE.bak" build out2
[ ! -e "$T/out2" ] || fail "a build over an empty state file wrote OUT"

# with no backup, it says so
mv "$STATE.bak" "$T/bak.aside"
expect_fail "paddock-state: empty: the cluster state is damaged and there is no .*\.bak; restore it from your backup" \
	build out2
[ ! -e "$T/out2" ] || fail "a build over an empty state file wrote OUT"
[ ! -s "$STATE" ] || fail "the empty state file was written over"
grep -q "created" "$T/stderr" && fail "a new state file was announced"
mv "$T/bak.aside" "$STATE.bak"

# a save keeps the state it replaces as .bak
cp -p "$T/state.first" "$STATE"
"$PADDOCK" certs rotate "$CLUSTER" >/dev/null 2>"$T/rotate.err" || { cat "$T/rotate.err"; fail "certs rotate"; }
cmp -s "$STATE.bak" "$T/state.first" || fail "$STATE.bak is not the state before the save"
for cut in 0 half; do
	cp -p "$STATE" "$T/state.whole"
	[ $cut = 0 ] && : >"$STATE" || truncate -s $(($(stat -c %s "$STATE") / 2)) "$STATE"
	expect_fail "paddock-state: .*the cluster state is damaged; restore it from $STATE.bak" build out3
	[ ! -e "$T/out3" ] || fail "a build over a damaged state file ($cut) wrote OUT"
	cp -p "$T/state.whole" "$STATE"
done

# what the message says to do works, and the CA is the first build's
: >"$STATE"
cp -p "$STATE.bak" "$STATE"
build out4 >/dev/null 2>"$T/build4.err" || { cat "$T/build4.err"; fail "build from the restored backup"; }
cmp -s "$CA" "$T/out4/etcd/ca.pem" || fail "a new CA after the restore"
echo "ok: a damaged state file fails the build, names the backup, makes no new CA"
