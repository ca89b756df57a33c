#!/usr/bin/env bash
# paddock serve's refusals that need no network of their own: a missing
# interface, a busy HTTP port on loopback, an OUT that is not a build, one
# from another paddock version, one that `paddock audit` fails.  Each is
# one line, exit 1, and nothing started (no dnsmasq, no state file).
. "$(dirname "$0")/testlib.bash"

version=$("$PADDOCK" --version | awk '{print $2}')
fake_out() { # DIR VERSION: a manifest.json and nothing else
	mkdir -p "$1" && printf '{ "paddock": "%s", "nodes": [] }\n' "$2" >"$1/manifest.json"
}
runs_before=$(ls -d /run/paddock-serve.* /tmp/paddock-serve.* 2>/dev/null | wc -l)
nothing_started() { # DESC OUT
	local n
	n=$(ls -d /run/paddock-serve.* /tmp/paddock-serve.* 2>/dev/null | wc -l)
	if [ "$n" -le "$runs_before" ] && [ ! -e "$2/serve" ]; then ok "$1: nothing started"; else bad "$1: something was left"; fi
}
serve() { timeout 60 "$PADDOCK" serve "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }

run serve --help
expect_rc 0 "--help"
grep -q -- '--interface IF' "$TMP/out" && ok "--help names --interface" || bad "--help: $(head -3 "$TMP/out")"
run serve "$TMP/x"
expect_rc 2 "no --interface"

fake_out "$TMP/good" "$version"
serve "$TMP/good" --interface paddocknoif0
expect_rc 1 "missing interface"; expect_err '^paddock: serve: interface paddocknoif0: no such interface$' "missing interface: message"
expect_one_error "missing interface"; nothing_started "missing interface" "$TMP/good"

serve "$TMP/nothing" --interface lo
expect_rc 1 "not a build output"; expect_err 'is not a paddock build output' "not a build output: message"
expect_one_error "not a build output"

fake_out "$TMP/old" 0.0.1
serve "$TMP/old" --interface lo
expect_rc 1 "other version"; expect_err "was built by paddock 0.0.1, this is paddock $version" "other version: message"
expect_one_error "other version"; nothing_started "other version" "$TMP/old"

# a busy HTTP port on loopback
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(30)" &
holder=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do ss -tln | grep -q ":$port " && break; sleep 0.2; done
serve "$TMP/good" --interface lo --port "$port"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
expect_rc 1 "busy port"; expect_err "port $port \(HTTP\) on 127.0.0.1 is already taken" "busy port: message"
expect_one_error "busy port"; nothing_started "busy port" "$TMP/good"

# an OUT that fails the audit (its nodes' layers are missing): reached only
# when the DHCP and TFTP ports are free here, and as root
if [ "$(id -u)" = 0 ] && ! ss -uln | grep -Eq ':(67|69|4011)\b'; then
	mkdir -p "$TMP/broken" && printf '{ "paddock": "%s", "nodes": [ { "name": "n1", "initrds": ["base.img", "n1/node.img"] } ] }\n' \
		"$version" >"$TMP/broken/manifest.json"
	serve "$TMP/broken" --interface lo --port "$port"
	expect_rc 1 "audit fails"; expect_err 'fails [0-9]+ checks? of `paddock audit`' "audit fails: message"
	expect_one_error "audit fails"; nothing_started "audit fails" "$TMP/broken"
else
	echo "note: the audit case needs root and free ports 67, 69, 4011; not run"
fi

echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
