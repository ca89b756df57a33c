#!/usr/bin/env bash
# paddock-report (initrd/reporter.c) against a small receiver on 127.0.0.1
# that checks each POST as `paddock serve` does: the signature (HMAC-SHA256
# of the body with the node's key), seq rising per boot (409 otherwise).
# The queued stages arrive once each, in order, with seq 1..N; a second run
# goes on where the first stopped; a wrong key gets one 401, one console
# line and no retry; replayed events are not sent again and again; a server
# that is not there costs a bounded number of tries; no paddock.report, no
# traffic.
set -u
ROOT=$(pwd)
: "${PADDOCK:?PADDOCK must name the paddock binary}"
REPORTER=$(cd "$(dirname "$PADDOCK")" && pwd)/initrd/paddock-report
T=$(mktemp -d "${TMPDIR:-/tmp}/paddock-report-test.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$REPORTER" ] || fail "no $REPORTER (make all)"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

cat >"$T/recv.py" <<'PY'
import hashlib, hmac, http.server, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
log = open(sys.argv[2], "a", buffering=1)
last = {}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        sig = self.headers.get("X-Paddock-Signature", "")
        want = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        f = dict(w.split("=", 1) for w in body.decode().rstrip("\n").split(" "))
        if self.path != "/report" or self.headers.get("Content-Type") != "text/plain" or not body.endswith(b"\n"):
            code = 400
        elif not hmac.compare_digest(sig, want):
            code = 401
        elif int(f["seq"]) <= last.get((f["node"], f["boot"]), 0):
            code = 409
        else:
            last[(f["node"], f["boot"])] = int(f["seq"])
            code = 204
        log.write("%d %s" % (code, body.decode()))
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[3], "w").write(str(s.server_port))
s.serve_forever()
PY

# receiver KEYFILE NAME: starts one; its port in $port
receiver() {
	rm -f "$T/$2.port"
	python3 "$T/recv.py" "$1" "$T/$2.log" "$T/$2.port" & pids+=($!)
	for _ in $(seq 50); do [ -s "$T/$2.port" ] && break; sleep 0.1; done
	port=$(cat "$T/$2.port" 2>/dev/null) || fail "receiver $2 did not start"
}
openssl rand -hex 32 >"$T/node.key"
openssl rand -hex 32 >"$T/other.key"
chmod 600 "$T/node.key"
printf 'node.name=node2\n' >"$T/node.conf"
echo 3f1c1b0e-2a51-4a57-9d7c-8d7c1f0e4b21 >"$T/boot_id"
: >"$T/queue"
cat >>"$T/queue" <<'Q'
t=1520 stage=init
t=4100 stage=network
not a stage line
t=9040 stage=failed detail=state-disk%3A%20%2Fdev%2Fvda%3A%20no%20such%20disk
t=12500 stage=system-docker
Q
report() { # report URL [ARGS...]: one run of paddock-report over the queue, until it is sent
	local url=$1
	shift
	echo "BOOT_IMAGE=vmlinuz console=ttyS0 paddock.report=$url quiet" >"$T/cmdline"
	timeout 60 "$REPORTER" --cmdline "$T/cmdline" --node-conf "$T/node.conf" --key "$T/node.key" \
		--boot-id "$T/boot_id" --queue "$T/queue" --pos "$T/pos" --drain "$@"
}

# 1. in order, signed, once each
receiver "$T/node.key" good
report "http://127.0.0.1:$port/report" >"$T/run1.out" 2>&1 || fail "run 1: $(cat "$T/run1.out")"
cat >"$T/want1" <<W
204 node=node2 boot=3f1c1b0e-2a51-4a57-9d7c-8d7c1f0e4b21 seq=1 t=1520 stage=init
204 node=node2 boot=3f1c1b0e-2a51-4a57-9d7c-8d7c1f0e4b21 seq=2 t=4100 stage=network
204 node=node2 boot=3f1c1b0e-2a51-4a57-9d7c-8d7c1f0e4b21 seq=3 t=9040 stage=failed detail=state-disk%3A%20%2Fdev%2Fvda%3A%20no%20such%20disk
204 node=node2 boot=3f1c1b0e-2a51-4a57-9d7c-8d7c1f0e4b21 seq=4 t=12500 stage=system-docker
W
diff "$T/want1" "$T/good.log" || fail "run 1: not what arrived"
[ ! -s "$T/run1.out" ] || fail "run 1 said something: $(cat "$T/run1.out")"
echo "ok: 4 stages arrived in order, signed, seq 1..4; the malformed line was passed over"

# 2. later stages: the next run goes on with seq 5
printf 't=15000 stage=etcd-member detail=new%%20cluster\nt=21000 stage=etcd-healthy\n' >>"$T/queue"
report "http://127.0.0.1:$port/report" >"$T/run2.out" 2>&1 || fail "run 2"
[ "$(wc -l <"$T/good.log")" = 6 ] || fail "run 2: $(cat "$T/good.log")"
tail -2 "$T/good.log" | grep -c '^204 .* seq=[56] ' | grep -qx 2 || fail "run 2: $(tail -2 "$T/good.log")"
echo "ok: a second run sends only the new stages, seq 5 and 6"

# 3. replayed: from the start again (no position); each is sent once, said once
rm -f "$T/pos"
report "http://127.0.0.1:$port/report" >"$T/run3.out" 2>&1 || fail "run 3"
[ "$(grep -c '^409 ' "$T/good.log")" = 6 ] || fail "run 3: $(cat "$T/good.log")"
[ "$(grep -c 'HTTP 409' "$T/run3.out")" = 1 ] || fail "run 3 said: $(cat "$T/run3.out")"
echo "ok: 409s are not retried and give one console line"

# 4. a key the server does not take: one try, one line, no more reports
receiver "$T/other.key" wrongkey
rm -f "$T/pos"
s=$(date +%s)
report "http://127.0.0.1:$port/report" --tries 5 >"$T/run4.out" 2>&1 || fail "run 4"
[ "$(wc -l <"$T/wrongkey.log")" = 1 ] || fail "run 4: $(cat "$T/wrongkey.log")"
grep -q '^401 node=node2 .* seq=1 t=1520 stage=init$' "$T/wrongkey.log" || fail "run 4: $(cat "$T/wrongkey.log")"
grep -q "^paddock: report: http://127.0.0.1:$port/report refused stage init: HTTP 401" "$T/run4.out" ||
	fail "run 4 said: $(cat "$T/run4.out")"
[ "$(wc -l <"$T/run4.out")" = 1 ] || fail "run 4 said more: $(cat "$T/run4.out")"
[ $(($(date +%s) - s)) -lt 5 ] || fail "run 4 took $(($(date +%s) - s)) s"
echo "ok: a 401 is one request and one console line, and ends the reports"

# 5. nobody listening: --tries per stage, then dropped, said once
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$T/free"
rm -f "$T/pos"
report "http://127.0.0.1:$(cat "$T/free")/report" --tries 3 --backoff 0.05 >"$T/run5.out" 2>&1 || fail "run 5"
[ "$(grep -c 'after 3 tries' "$T/run5.out")" = 1 ] || fail "run 5 said: $(cat "$T/run5.out")"
[ "$(cat "$T/pos")" = "$(stat -c %s "$T/queue") 6" ] || fail "run 5 stopped at $(cat "$T/pos")"
echo "ok: an absent server costs 3 tries a stage, then it is dropped"

# 6. no paddock.report on the command line: nothing sent, nothing said
echo "BOOT_IMAGE=vmlinuz console=ttyS0 quiet" >"$T/cmdline"
rm -f "$T/pos"
"$REPORTER" --cmdline "$T/cmdline" --node-conf "$T/node.conf" --key "$T/node.key" --boot-id "$T/boot_id" \
	--queue "$T/queue" --pos "$T/pos" --drain >"$T/run6.out" 2>&1 || fail "run 6"
[ ! -s "$T/run6.out" ] && [ ! -e "$T/pos" ] || fail "run 6 did something"
echo "ok: without paddock.report it does nothing"
