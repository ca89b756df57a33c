#!/usr/bin/env bash
# Role containers from a private registry, checked against the plan, and an
# upgrade by rebuild.  The node under test has every role (etcd bundled and
# run for real) and a blank state disk; a second guest, a worker-only node
# from RAM, runs nginx-proxy, which only workers without the controlplane
# role have.
#   - Debian's docker-registry on 127.0.0.1 (htpasswd auth, bcrypt; TLS
#     with a CA and server certificate made here, SAN 10.0.2.2), which the
#     guest reaches through QEMU user networking as 10.0.2.2:PORT;
#   - skopeo pushes a stand-in under the plan's Kubernetes image name: a
#     test fixture (labelled org.paddock.test-fixture; a static busybox that
#     says it is the fixture and sleeps, whatever arguments it gets, until
#     SIGTERM ends it as it ends a Kubernetes component), no Kubernetes
#     component;
#   - the cluster file sets the registry (is_default), its user and
#     password and its CA (private_registries[].paddock.ca_cert).
# Boot 1: the registry first refuses the node's password: the node says
# "wrong credentials" in one status line, retries with a back-off and
# creates no container.  The registry then takes it: the node pulls the
# fixture as that user over verified TLS and runs kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet and kube-proxy; the
# worker, powered on then, runs nginx-proxy, kubelet and kube-proxy.  Each is
# read back through System Docker's Engine API (a relay started from the
# root console, qemu-tests/engine_proxy.c) and compared with
# `paddock plan --json` (qemu-tests/engine_vs_plan.py: image, command and
# every flag, binds, env, user, network and PID mode, privileges, restart
# policy); one killed is restarted by paddock-services.  A key is written
# to etcd through its TLS client port.
# Boot 2: rebuilt from the cluster file with a changed
# services.kube-api.extra_args (same state file), on the same disk:
# kube-apiserver carries the new flag, everything still matches the new
# plan, etcd is the same member and holds the key, no image is pulled
# again (System Docker's data root is on the disk).
# No password appears in a console line or a status.  No traffic leaves
# loopback: every image the node runs is bundled or from 10.0.2.2.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
for tool in docker-registry skopeo htpasswd openssl etcdctl; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (make deps)"; exit 77; }
done
BUSYBOX=/bin/busybox
ldd "$BUSYBOX" >/dev/null 2>&1 && { echo "SKIP: $BUSYBOX is not static (busybox-static)"; exit 77; }
SERVICES="syslog ntp sshd docker"
ROLES="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy"
WROLES="nginx-proxy kubelet kube-proxy"
NODE=paddock-single
WORKER=paddock-worker
USER_NAME=paddock-tester
PW=$(openssl rand -hex 12)
OTHER=$(openssl rand -hex 12)
T=$QEMU_TMP
REG_PORT=$(free_port)
REG=10.0.2.2:$REG_PORT
GUEST_ENGINE_PORT=2375

# --- the registry ----------------------------------------------------------
. qemu-tests/registry-lib.sh
registry_setup "$T" "$REG_PORT"
# registry PASSWORD: (re)starts the registry with one user, of that password
registry() { registry_start "$USER_NAME" "$1"; }

# --- the cluster file: every role on one node, a changeable extra_args ------
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
mkcluster() {
	cat >"$T/cluster.yml" <<EOF2
cluster_name: registry-test
kubernetes_version: v1.30.5-rancher1-1
ssh_key_path: $T/id
nodes:
  - address: 10.0.2.15
    hostname_override: $NODE
    user: rancher
    role: [etcd, controlplane, worker]
    paddock: {mac: "52:54:00:00:01:01", network: {mode: dhcp}, state_disk: /dev/vda, debug_shell: true}
  - address: 10.0.2.16
    hostname_override: $WORKER
    user: rancher
    role: [worker]
    paddock: {mac: "52:54:00:00:01:02", network: {mode: dhcp}, debug_shell: true}
services:
  etcd: {uid: 52034, gid: 52035}
  kube-api:
    extra_args: {v: "$1"}
private_registries:
  - url: $REG
    user: $USER_NAME
    password: $PW
    is_default: true
    paddock:
      ca_cert: ca.pem
paddock:
  formats: [kernel]
EOF2
	rm -rf "$T/out"
	(cd "$T" && "$PADDOCK" build cluster.yml -q -o out 2>"$T/build.err") || { cat "$T/build.err"; fail "paddock build"; }
	cat "$T/out/base.img" "$T/out/$NODE/node.img" >"$T/initrd.img"
	cat "$T/out/base.img" "$T/out/$WORKER/node.img" >"$T/winitrd.img"
	"$PADDOCK" plan --json "$T/cluster.yml" >"$T/plan.json" || fail "paddock plan --json"
}
mkcluster 2
# the plan's image for every Kubernetes component, from the default registry
IMAGE=$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
imgs = {c["image"] for n in p["nodes"] for c in n["containers"] if c["name"] in sys.argv[2].split()}
assert len(imgs) == 1, imgs
print(imgs.pop())' "$T/plan.json" "$ROLES") || fail "the plan's Kubernetes image"
case $IMAGE in "$REG"/*) ;; *) fail "the Kubernetes image $IMAGE is not from $REG" ;; esac
REPO=${IMAGE#"$REG"/}
# nginx-proxy's image (RKE's tools), on the worker only
NIMAGE=$(jq -r --arg w "$WORKER" '.nodes[] | select(.name == $w) | .containers[] | select(.name == "nginx-proxy") | .image' \
	"$T/plan.json") || fail "the plan's nginx-proxy image"
case $NIMAGE in "$REG"/*) ;; *) fail "nginx-proxy's image '$NIMAGE' is not from $REG" ;; esac
NREPO=${NIMAGE#"$REG"/}
# the registry refuses the node's password at first
registry "$OTHER"
python3 qemu-tests/mkregimage.py "$BUSYBOX" "$T/fixture.tar" "$REPO" || fail "fixture image"
for r in "$REPO" "$NREPO"; do
	registry_push "$T/fixture.tar" "$r" "$USER_NAME" "$OTHER" || fail "skopeo copy $r"
	registry_inspect "$r" "$USER_NAME" "$OTHER" |
		grep -q '"org.paddock.test-fixture": "true"' || fail "the fixture is not in the registry as $r"
done
echo "pushed the test fixture as $REPO and $NREPO to the registry at 127.0.0.1:$REG_PORT (the guest's $REG)"
# the layer carries the CA and the credentials, 0600
zstd -dc "$T/out/$NODE/node.img" | (mkdir -p "$T/layer" && cd "$T/layer" && cpio -i -d --quiet) || fail "node layer"
cmp -s "$T/ca.pem" "$T/layer/etc/docker/certs.d/$REG/ca.crt" || fail "the registry CA is not in /etc/docker/certs.d/$REG"
for f in etc/paddock/registry-auth.json var/lib/kubelet/config.json; do
	[ "$(stat -c %a "$T/layer/$f")" = 600 ] || fail "/$f is not 0600"
done
${CC:-cc} -O2 -static -o "$T/engine_proxy" qemu-tests/engine_proxy.c || fail "engine_proxy"
truncate -s 2G "$T/disk.img"

# start: powers the guest on, to init's marker
start() {
	PORT=$(free_port) EPORT=$(free_port) DPORT=$(free_port)
	# the guest reaches the registry on the host (restrict=off)
	qemu_start vm -m 1536 -kernel "$T/out/$NODE/vmlinuz" -initrd "$T/initrd.img" \
		-append "$(cat "$T/out/$NODE/cmdline") paddock.shell" \
		-drive file="$T/disk.img",format=raw,if=virtio \
		-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:22,hostfwd=tcp:127.0.0.1:$EPORT-:2379,hostfwd=tcp:127.0.0.1:$DPORT-:$GUEST_ENGINE_PORT" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01 || fail "qemu did not start"
	qemu_wait vm '^paddock: init ok [0-9.]+' 180 || fail "no init marker"
}
# start_worker: powers the worker-only node on (from RAM, no disk); QEMU's
# DHCP hands it its planned address
start_worker() {
	WPORT=$(free_port) WDPORT=$(free_port)
	qemu_start wk -m 1024 -kernel "$T/out/$WORKER/vmlinuz" -initrd "$T/winitrd.img" \
		-append "$(cat "$T/out/$WORKER/cmdline") paddock.shell" \
		-netdev "user,id=n0,dhcpstart=10.0.2.16,hostfwd=tcp:127.0.0.1:$WPORT-10.0.2.16:22,hostfwd=tcp:127.0.0.1:$WDPORT-10.0.2.16:$GUEST_ENGINE_PORT" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:02 || fail "worker: qemu did not start"
}
# up [GUEST NODE SSH-PORT]: the services, SSH, and the Engine API relay,
# copied in over SSH and started from the root console
up() {
	local vm=${1:-vm} node=${2:-$NODE} port=${3:-$PORT}
	qemu_wait_services "$vm" "$SERVICES"
	for i in $(seq 1 30); do fwd_ssh "$port" "$node" true 2>/dev/null && break; sleep 2; done
	fwd_ssh "$port" "$node" 'cat >/tmp/engine_proxy && chmod 0755 /tmp/engine_proxy' <"$T/engine_proxy" ||
		fail "copy engine_proxy to $node"
	qemu_console "$vm" 'ep=/proc/$(pidof sshd | tr " " "\n" | sort -n | head -n 1)/root/tmp/engine_proxy; setsid $ep '"$GUEST_ENGINE_PORT"' /var/run/system-docker.sock </dev/null >/dev/null 2>&1 & echo "engine-proxy-started $?"'
	qemu_wait "$vm" '^engine-proxy-started 0' 30 >/dev/null || fail "start engine_proxy on $node"
}
gssh() { fwd_ssh "$PORT" "$NODE" "$@"; }
engine() { curl -sf --max-time 30 "$@"; }
ectl() {
	# etcdctl 3.4 refuses --endpoints beside ETCDCTL_ENDPOINTS
	(cd "$T/out" && set -a && . etcd/etcdctl.env && set +a && unset ETCDCTL_ENDPOINTS &&
		timeout 20 etcdctl --dial-timeout=5s --command-timeout=8s --endpoints="https://127.0.0.1:$EPORT" "$@")
}
# status: `paddockctl status` in the guest, into $T/status.N
status() {
	gssh paddockctl status >"$T/status.$1" 2>&1 || { cat "$T/status.$1"; fail "paddockctl status"; }
	sed "s/^/status ($1): /" "$T/status.$1"
}
no_secret() {
	! grep -qF "$PW" "$@" || fail "the password appears in $*"
	! grep -qF "$OTHER" "$@" || fail "the registry's other password appears in $*"
}
# running TIMEOUT [GUEST CONTAINERS]: waits for each role container's running line
running() {
	local c
	for c in ${3:-$ROLES}; do
		qemu_wait "${2:-vm}" "^paddock: container $c running [0-9.]+" "$1" || fail "$c never ran"
	done
}
compare() {
	python3 qemu-tests/engine_vs_plan.py "$T/plan.json" "$NODE" "http://127.0.0.1:$DPORT" $ROLES ||
		fail "System Docker's containers differ from the plan ($1)"
}
member_id() { ectl member list -w json | python3 -c 'import json,sys; print([m["ID"] for m in json.load(sys.stdin)["members"]])'; }

# --- boot 1: refused, then pulled; as planned; a key in etcd ----------------
start
qemu_wait vm "^paddock: container kubelet: wrong credentials from $REG: .*\(attempt 1, retry in 5 s\)" 300 ||
	fail "the refused password is not reported"
qemu_wait vm "^paddock: container kubelet: wrong credentials from $REG: .*\(attempt 2, retry in 10 s\)" 60 ||
	fail "the pull is not retried with a back-off"
# `paddockctl status` on the root console: the services (and SSH) may not be
# up yet.  The serial transcript sometimes doubles a character under load
# ("frrom"), so a garbled read is read again, up to three times.
for try in 1 2 3; do
	qemu_console vm "paddockctl status 2>&1 | sed 's/^/refused-status-$try: /'; echo refused-status-end-$try"
	qemu_wait vm "^refused-status-e+n+d+-$try" 60 >/dev/null || fail "paddockctl status on the console"
	tr -d '\r' <"$(qemu_log vm)" | sed -n "s/^refused-status-$try: //p" >"$T/status.refused"
	grep -qE "^kubelet +starting .* none: wrong credentials from $REG: .*\(attempt [0-9]+, retry in [0-9]+ s\)$" \
		"$T/status.refused" && break
	echo "status (refused), read $try: no clean credentials line for the kubelet"
	[ "$try" = 3 ] && { sed 's/^/status (refused): /' "$T/status.refused"; fail "status: no clear credentials line for the kubelet"; }
done
sed 's/^/status (refused): /' "$T/status.refused"
grep -a '^paddock: container [a-z-]* running' "$(qemu_log vm)" && fail "a role container ran with a refused password"
grep -q "error authenticating user .*$USER_NAME.*authentication failure" "$T/registry.log" ||
	fail "the registry saw no failed login"
echo "refused password: reported as wrong credentials, retried (5 s, 10 s), no container created"
registry "$PW"
t0=$(date +%s)
start_worker
up
running 300
echo "registry takes the password -> every role container running: $(( $(date +%s) - t0 )) s"
grep 'msg="authorized request"' "$T/registry.log" | grep "host=\"$REG\"" | grep "/v2/${REPO%:*}/manifests/" |
	grep -q 'useragent="docker/' ||
	{ tail -n 20 "$T/registry.log"; fail "the registry saw no authorized pull of $REPO by the node's System Docker"; }
echo "the node pulled $REPO as $USER_NAME over TLS (CA from the cluster file)"
compare "boot 1"
# paddock-services restarts a container that stops (Docker's policy is "no")
old=$(engine "http://127.0.0.1:$DPORT/containers/kube-scheduler/json" | jq -r .Id) || fail "inspect kube-scheduler"
engine -X POST "http://127.0.0.1:$DPORT/containers/kube-scheduler/kill" || fail "kill kube-scheduler"
qemu_wait vm '^paddock: container kube-scheduler stopped; restart 1 in [0-9]+ s' 30 || fail "no restart of kube-scheduler"
for i in $(seq 1 150); do
	n=$(tr -d '\r' <"$(qemu_log vm)" | grep -c '^paddock: container kube-scheduler running')
	[ "$n" -ge 2 ] && break
	sleep 0.2
done
[ "$n" = 2 ] || fail "kube-scheduler ran $n times, not twice"
new=$(engine "http://127.0.0.1:$DPORT/containers/kube-scheduler/json" | jq -r 'select(.State.Running) | .Id')
[ -n "$new" ] && [ "$new" != "$old" ] || fail "kube-scheduler is not running again as a new container"
echo "kube-scheduler killed: restarted by paddock-services as a new container"
qemu_wait vm '^paddock: etcd healthy' 120 >/dev/null || fail "etcd not healthy"
KEY_VALUE=$(openssl rand -hex 8)
ectl put paddock-test-key "$KEY_VALUE" >/dev/null || fail "etcdctl put"
ID1=$(member_id) || fail "etcdctl member list"
echo "etcd member $ID1 holds paddock-test-key"
status good
# restarts: kube-scheduler's one (killed above), none for the others
for c in $ROLES; do
	n=0 && [ "$c" = kube-scheduler ] && n=1
	grep -qE "^$c +running +$n .* running$" "$T/status.good" || fail "status: $c not running with $n restarts"
done
no_secret "$(qemu_log vm)" "$T/status.refused" "$T/status.good"
# the worker-only node, powered on when the registry took the password
up wk "$WORKER" "$WPORT"
running 120 wk "$WROLES"
python3 qemu-tests/engine_vs_plan.py "$T/plan.json" "$WORKER" "http://127.0.0.1:$WDPORT" $WROLES ||
	fail "the worker's containers differ from the plan"
engine "http://127.0.0.1:$WDPORT/containers/nginx-proxy/json" | jq -e '.Config.Env | index("CP_HOSTS=10.0.2.15")' >/dev/null ||
	fail "nginx-proxy does not point at the controlplane (CP_HOSTS=10.0.2.15)"
echo "worker-only node: nginx-proxy (CP_HOSTS=10.0.2.15), kubelet and kube-proxy as planned, $(( $(date +%s) - t0 )) s after its power-on"
no_secret "$(qemu_log wk)"
qemu_stop wk
qemu_powerdown_clean vm

# --- boot 2: rebuilt with a changed extra_args, same disk -------------------
mkcluster 4
grep -q '"--v=4"' "$T/plan.json" || fail "the rebuilt plan lacks --v=4"
start
up
running 300
compare "boot 2, rebuilt"
engine "http://127.0.0.1:$DPORT/containers/kube-apiserver/json" | jq -e '.Config.Cmd | index("--v=4") and (index("--v=2") | not)' >/dev/null ||
	fail "kube-apiserver does not carry the new flag"
echo "kube-apiserver runs with --v=4 (was --v=2)"
tr -d '\r' <"$(qemu_log vm)" | grep -a '^paddock: container .*: pulling' && fail "an image was pulled again"
qemu_wait vm '^paddock: etcd healthy' 120 >/dev/null || fail "etcd not healthy after the rebuild"
ID2=$(member_id) || fail "etcdctl member list (boot 2)"
[ "$ID2" = "$ID1" ] || fail "etcd's member changed: $ID1 -> $ID2"
[ "$(ectl get --print-value-only paddock-test-key)" = "$KEY_VALUE" ] || fail "etcd lost paddock-test-key"
echo "etcd: still member $ID1, paddock-test-key kept; no image pulled again"
status rebuilt
no_secret "$(qemu_log vm)" "$T/status.rebuilt"
# boot 1 checked the clean power-off; this guest is killed on exit (~30 s saved)
echo "PASS: private registry: refused credentials are one status line, retried; the stand-in role containers (nginx-proxy on a worker-only node too) are as planned; a rebuild with a changed extra_args keeps etcd's data and carries the new flag"
