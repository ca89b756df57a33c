#!/usr/bin/env bash
# Bad input: each case gets one clear error (exit 1), in bounded time and
# memory, and no crash.
. "$(dirname "$0")/testlib.bash"

NODE='nodes:
  - address: 10.0.0.1
    user: u
    role: [etcd, controlplane, worker]
'
# bad NAME REGEX: validate $TMP/NAME.yml under a 10 s / 1 GiB bound
bad_case() {
	local f="$TMP/$1.yml"
	( ulimit -v 1048576; timeout 10 "$PADDOCK" validate "$f" ) >"$TMP/out" 2>"$TMP/err"
	rc=$?
	expect_rc 1 "$1"
	expect_err "$2" "$1: message"
	expect_one_error "$1"
}

# missing / unreadable / not a file
run validate "$TMP/nope.yml"
expect_rc 1 "missing file"; expect_err "nope.yml: cannot open: No such file" "missing file: message"; expect_one_error "missing"
mkdir "$TMP/dir.yml"
run validate "$TMP/dir.yml"
expect_rc 1 "directory"; expect_err "dir.yml: not a regular file" "directory: message"
# unreadable: root reads any file, so under root (CI) this runs as nobody,
# with a copy of paddock in a scratch directory nobody can enter; a readable
# file beside it shows that only the file's mode stands in the way.
P=$TMP/perm
chmod 0711 "$TMP" && mkdir -m 0755 "$P" && install -m 0755 "$PADDOCK" "$P/paddock"
printf '%s' "$NODE" >"$P/readable.yml"; chmod 0644 "$P/readable.yml"
printf '%s' "$NODE" >"$P/noperm.yml"; chmod 000 "$P/noperm.yml"
user=$(as_nobody id -u)
[ "$user" != 0 ] && ok "permission checks run as uid $user" || bad "permission checks run as root"
run_unprivileged() { as_nobody "$P/paddock" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
run_unprivileged validate "$P/readable.yml"
expect_rc 0 "readable file, same directory and user"
run_unprivileged validate "$P/noperm.yml"
expect_rc 1 "unreadable"; expect_err "noperm.yml: cannot open: Permission denied" "unreadable: message"

: >"$TMP/empty.yml"
bad_case empty 'empty.yml:1:1: the file is empty'
printf '# nothing here\n\n' >"$TMP/comments.yml"
bad_case comments 'no content'
printf 'nodes:\n\x00\x01\x02\xff binary' >"$TMP/binary.yml"
bad_case binary 'binary.yml:2:1: binary data'
head -c 4096 /dev/urandom >"$TMP/random.yml"
( ulimit -v 1048576; timeout 10 "$PADDOCK" validate "$TMP/random.yml" ) >/dev/null 2>&1
[ $? -eq 1 ] && ok "random bytes rejected" || bad "random bytes: exit $?"
truncate -s 100M "$TMP/huge.yml"
bad_case huge 'huge.yml: file is too large \(104857600 bytes; the limit is 16 MiB\)'
python3 -c 'print("nodes: " + "[" * 100000 + "]" * 100000)' >"$TMP/deep.yml"
bad_case deep 'deep.yml:1:[0-9]+: nesting deeper than 64 levels'
python3 -c 'print("nodes: " + "{a: " * 5000 + "x" + "}" * 5000)' >"$TMP/deepmap.yml"
bad_case deepmap 'nesting deeper than 64 levels'
{
	echo 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
	for i in 1 2 3 4 5 6 7 8 9; do
		p=$((i - 1)); echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
	done
	echo 'nodes: *a9'
} >"$TMP/bomb.yml"
bad_case bomb 'bomb.yml:[0-9]+:[0-9]+: document too large once aliases are expanded.*alias bomb'
{ echo 'x: &x [1]'; for i in $(seq 1 1500); do echo "k$i: *x"; done; } >"$TMP/aliases.yml"
bad_case aliases 'more than 1000 aliases'
python3 -c 'print("x:"); [print("  - &a%d %d" % (i, i)) for i in range(10001)]' >"$TMP/anchors.yml"
bad_case anchors 'anchors.yml:10002:5: more than 10000 anchors'
printf 'a: *nowhere\n' >"$TMP/noanchor.yml"
bad_case noanchor "unknown anchor 'nowhere'"

# wrong shapes
printf 'nodes: 10.0.0.1\n' >"$TMP/scalar-nodes.yml"
bad_case scalar-nodes 'scalar-nodes.yml:1:8: nodes: expected a list, got a scalar `10.0.0.1`'
printf 'nodes:\n  address: 10.0.0.1\n  user: u\n' >"$TMP/map-nodes.yml"
bad_case map-nodes 'map-nodes.yml:2:3: nodes: expected a list, got a mapping'
printf 'nodes:\n  - address: 10.0.0.1\n    user: u\n    role: worker\n' >"$TMP/scalar-role.yml"
bad_case scalar-role 'scalar-role.yml:4:11: nodes\[0\]\.role: expected a list, got a scalar `worker`'
printf -- '- a\n- b\n' >"$TMP/list-doc.yml"
bad_case list-doc 'the document must be a mapping'
printf 'nodes: [\n' >"$TMP/syntax.yml"
bad_case syntax 'syntax.yml:[0-9]+:[0-9]+: yaml: '

# numbers out of range
printf '%s    port: 70000\n' "$NODE" >"$TMP/port.yml"
bad_case port 'port.yml:5:11: nodes\[0\]\.port: `70000` is not a TCP port \(1-65535\)'
printf '%s    port: 0\n' "$NODE" >"$TMP/port0.yml"
bad_case port0 'nodes\[0\]\.port: `0` is not a TCP port'
printf '%sservices:\n  etcd:\n    uid: 4294967296\n    gid: 1\n' "$NODE" >"$TMP/uid.yml"
bad_case uid 'uid.yml:7:10: services.etcd.uid: 4294967296 is out of range for a uid'
printf '%sservices:\n  etcd:\n    gid: -5\n    uid: 1\n' "$NODE" >"$TMP/gid.yml"
bad_case gid 'services.etcd.gid: -5 is out of range for a gid'
printf '%sservices:\n  etcd:\n    uid: 99999999999999999999999\n' "$NODE" >"$TMP/uidbig.yml"
bad_case uidbig 'services.etcd.uid: number out of range'
printf '%sservices:\n  etcd:\n    uid: "52034"\n' "$NODE" >"$TMP/uidquoted.yml"
bad_case uidquoted 'uidquoted.yml:7:10: services.etcd.uid: expected an integer \(no quotes\), got a quoted string `52034`'
printf '%sbastion_host:\n  address: b\n  port: 99999\n' "$NODE" >"$TMP/bastionport.yml"
bad_case bastionport 'bastion_host.port: `99999` is not a TCP port'

python3 -c 'print("nodes:\n  - {address: a, user: u, role: [etcd]}\nservices:\n  kubelet:\n    extra_args:"); [print("      k%d: v" % i) for i in range(300)]' >"$TMP/args.yml"
bad_case args 'args.yml:6:7: services.kubelet.extra_args: more than 200 entries'
python3 -c 'print("nodes:\n  - {address: a, user: u, role: [etcd]}\nauthentication:\n  sans:"); [print("    - n%d" % i) for i in range(600)]' >"$TMP/sans.yml"
bad_case sans 'sans.yml:5:5: authentication.sans: more than 500 names'
python3 -c 'print("nodes:"); [print("  - {address: a%d, user: u, role: [etcd]}" % i) for i in range(17)]' >"$TMP/etcd17.yml"
bad_case etcd17 'etcd17.yml:1:1: nodes: 17 etcd nodes: .*more than 15'
python3 -c 'print("nodes:"); [print("  - {address: a%d, user: u, role: [etcd]}" % i) for i in range(2001)]' >"$TMP/n2001.yml"
bad_case n2001 'n2001.yml:1:1: nodes: 2001 nodes: paddock builds at most 2000'

# templates in values
printf 'nodes:\n  - address: ${node_ip}\n    user: u\n    role: [etcd]\n' >"$TMP/tmpl.yml"
bad_case tmpl 'tmpl.yml:2:14: nodes\[0\]\.address: unrendered template `\$\{node_ip\}`'
# a value with a newline stays on one line of stderr
printf 'nodes:\n  - address: a\n    user: u\n    role: ["et\\ncd"]\n' >"$TMP/newline.yml"
bad_case newline 'newline.yml:4:12: nodes\[0\]\.role\[0\]: unknown role `et\\ncd`'
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "newline: one line" || bad "newline: $(wc -l <"$TMP/err") lines"
finish
