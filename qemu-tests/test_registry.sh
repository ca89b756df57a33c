#!/usr/bin/env bash
# A worker node pulls its role container's image from a private registry
# with the credentials of the cluster file:
#   - Debian's docker-registry on 127.0.0.1 (htpasswd auth, bcrypt; TLS
#     with a CA and server certificate made here, SAN 10.0.2.2), which the
#     guest reaches through QEMU user networking as 10.0.2.2:PORT;
#   - skopeo pushes a test fixture (a static busybox that says it is the
#     fixture and sleeps; no Kubernetes component) under the plan's image
#     name for the worker's nginx-proxy; the other role images are not
#     pushed, so their pulls fail as "image not found";
#   - the cluster file sets the registry (is_default), its user and
#     password and its CA (private_registries[].paddock.ca_cert): the node
#     pulls the fixture as that user over verified TLS and creates and runs
#     the container;
#   - with a wrong password the node says "wrong credentials" in one
#     status line, retries with a back-off, and creates no container.
# The password appears in no console line and no status.  No traffic
# leaves loopback: every image the node runs comes from 10.0.2.2.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
for tool in docker-registry skopeo htpasswd openssl; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (make deps)"; exit 77; }
done
BUSYBOX=/bin/busybox
ldd "$BUSYBOX" >/dev/null 2>&1 && { echo "SKIP: $BUSYBOX is not static (busybox-static)"; exit 77; }
SERVICES="syslog ntp sshd docker"
NODE=w1
USER_NAME=paddock-tester
GOOD=$(openssl rand -hex 12)
T=$QEMU_TMP
REG_PORT=$(free_port)
REG=10.0.2.2:$REG_PORT

# --- the registry ----------------------------------------------------------
cd "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-days 2 -subj "/CN=paddock test registry CA" 2>/dev/null || fail "test CA"
printf '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=IP:10.0.2.2,IP:127.0.0.1\n%s\n' \
	'extendedKeyUsage=serverAuth' >srv.cnf
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -subj /CN=10.0.2.2 \
	-out srv.csr 2>/dev/null &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile srv.cnf \
		-extensions ext -out srv.pem 2>/dev/null || fail "registry certificate"
htpasswd -Bbn "$USER_NAME" "$GOOD" >htpasswd 2>/dev/null || fail "htpasswd"
mkdir -p store certs && cp ca.pem certs/ca.crt
cat >registry.yml <<EOF2
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $T/store
http:
  addr: 127.0.0.1:$REG_PORT
  tls:
    certificate: $T/srv.pem
    key: $T/srv.key
auth:
  htpasswd:
    realm: paddock-test
    path: $T/htpasswd
EOF2
docker-registry serve registry.yml >registry.log 2>&1 &
QEMU_HELPERS+=("$!")
for i in $(seq 1 50); do
	python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$REG_PORT),1)" 2>/dev/null && break
	sleep 0.2
done
cd - >/dev/null

# --- the cluster file: a worker (booted) and its control plane (built only)
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
mkcluster() {
	cat >"$T/cluster.yml" <<EOF2
cluster_name: registry-test
kubernetes_version: v1.30.5-rancher1-1
ssh_key_path: $T/id
nodes:
  - {address: 10.0.2.16, hostname_override: cp1, user: rancher, role: [etcd, controlplane],
     paddock: {mac: "52:54:00:00:01:02"}}
  - {address: 10.0.2.15, hostname_override: $NODE, user: rancher, role: [worker],
     paddock: {mac: "52:54:00:00:01:01"}}
private_registries:
  - url: $REG
    user: $USER_NAME
    password: $1
    is_default: true
    paddock:
      ca_cert: ca.pem
paddock:
  formats: [kernel]
EOF2
}
build() {
	rm -rf "$T/out"
	(cd "$T" && "$PADDOCK" build cluster.yml -q -o out 2>"$T/build.err") || { cat "$T/build.err"; fail "paddock build"; }
	cat "$T/out/base.img" "$T/out/$NODE/node.img" >"$T/initrd.img"
}
mkcluster "$GOOD"
build
# the plan's image for the worker's nginx-proxy, from the default registry
IMAGE=$("$PADDOCK" plan --json "$T/cluster.yml" | python3 -c '
import json, sys
p = json.load(sys.stdin)
n = [n for n in p["nodes"] if n["name"] == sys.argv[1]][0]
print([c["image"] for c in n["containers"] if c["name"] == "nginx-proxy"][0])' "$NODE") || fail "no nginx-proxy in the plan"
case $IMAGE in "$REG"/*) ;; *) fail "nginx-proxy's image $IMAGE is not from $REG" ;; esac
REPO=${IMAGE#"$REG"/}
python3 qemu-tests/mkregimage.py "$BUSYBOX" "$T/fixture.tar" "$REPO" || fail "fixture image"
skopeo copy -q --dest-cert-dir "$T/certs" --dest-creds "$USER_NAME:$GOOD" "docker-archive:$T/fixture.tar" \
	"docker://127.0.0.1:$REG_PORT/$REPO" >"$T/skopeo.log" 2>&1 || { cat "$T/skopeo.log"; fail "skopeo copy"; }
skopeo inspect --cert-dir "$T/certs" --creds "$USER_NAME:$GOOD" "docker://127.0.0.1:$REG_PORT/$REPO" |
	grep -q '"org.paddock.test-fixture": "true"' || fail "the fixture is not in the registry"
echo "pushed the test fixture as $REPO to the registry at 127.0.0.1:$REG_PORT (the guest's $REG)"
# the layer carries the CA and the credentials, 0600
zstd -dc "$T/out/$NODE/node.img" | (mkdir -p "$T/layer" && cd "$T/layer" && cpio -i -d --quiet) || fail "node layer"
cmp -s "$T/ca.pem" "$T/layer/etc/docker/certs.d/$REG/ca.crt" || fail "the registry CA is not in /etc/docker/certs.d/$REG"
for f in etc/paddock/registry-auth.json var/lib/kubelet/config.json; do
	[ "$(stat -c %a "$T/layer/$f")" = 600 ] || fail "/$f is not 0600"
done

boot() {
	# the guest reaches the registry on the host; every image it runs is from there
	qemu_boot_node "$T/out" "$NODE" "$T/initrd.img" 52:54:00:00:01:01 restrict=off
	qemu_wait_services vm "$SERVICES"
	for i in $(seq 1 30); do gssh true 2>/dev/null && break; sleep 2; done
}
gssh() {
	(cd "$T" && timeout 90 ssh -F out/ssh_config -o HostName=127.0.0.1 -o Port="$PORT" \
		-o BatchMode=yes -o ConnectTimeout=30 "$NODE" "$@")
}
# status: `paddockctl status` in the guest, into $T/status.N
status() {
	gssh paddockctl status >"$T/status.$1" 2>&1 || { cat "$T/status.$1"; fail "paddockctl status"; }
	sed "s/^/status ($1): /" "$T/status.$1"
}
no_secret() {
	! grep -qF "$GOOD" "$@" || fail "the password appears in $*"
	! grep -qF "$WRONG" "$@" || fail "the wrong password appears in $*"
}
WRONG=$(openssl rand -hex 12)

# --- the right password: pulled as the user, created, running -------------
boot
qemu_wait vm '^paddock: container nginx-proxy running [0-9.]+' 300 || fail "nginx-proxy never ran"
qemu_wait vm "^paddock: container (kubelet|kube-proxy): image not found from $REG" 120 ||
	fail "a missing image is not reported as not found"
status good
grep -qE "^nginx-proxy +running +0 .* running$" "$T/status.good" || fail "status: nginx-proxy not running"
grep -qE "^(kubelet|kube-proxy) +starting .* none: image not found from $REG: .*\(attempt [0-9]+, retry in [0-9]+ s\)$" \
	"$T/status.good" || fail "status: a missing image is not one clear line"
# (the CONTAINER column above is System Docker's own state of the container:
# the SSH login's container has a process namespace of its own, so the
# fixture's process is not looked for in /proc)
# htpasswd holds one user: an authorized request is one made with its password
grep 'msg="authorized request"' "$T/registry.log" | grep "host=\"$REG\"" | grep "/v2/${REPO%:*}/manifests/" |
	grep -q 'useragent="docker/' ||
	{ tail -n 20 "$T/registry.log"; fail "the registry saw no authorized pull of $REPO by the node's System Docker"; }
echo "the node pulled $REPO as $USER_NAME over TLS (CA from the cluster file) and runs nginx-proxy"
no_secret "$(qemu_log vm)" "$T/status.good"
qemu_powerdown_clean vm

# --- a wrong password: one status line, retried, no container -------------
cp "$T/registry.log" "$T/registry.good.log"
mkcluster "$WRONG"
build
boot
qemu_wait vm "^paddock: container nginx-proxy: wrong credentials from $REG: .*\(attempt 1, retry in 5 s\)" 300 ||
	fail "the wrong password is not reported"
qemu_wait vm "^paddock: container nginx-proxy: wrong credentials from $REG: .*\(attempt 2, retry in 10 s\)" 60 ||
	fail "the pull is not retried with a back-off"
status wrong
grep -qE "^nginx-proxy +starting .* none: wrong credentials from $REG: .*\(attempt [0-9]+, retry in [0-9]+ s\)$" \
	"$T/status.wrong" || fail "status: no clear credentials line for nginx-proxy"
grep -a '^paddock: container nginx-proxy running' "$(qemu_log vm)" && fail "nginx-proxy ran with a wrong password"
grep -qE "^nginx-proxy +.* running$" "$T/status.wrong" && fail "System Docker runs nginx-proxy with a wrong password"
grep -q "error authenticating user .*$USER_NAME.*authentication failure" "$T/registry.log" ||
	fail "the registry saw no failed login"
echo "wrong password: reported as wrong credentials, retried (5 s, 10 s), no container created"
no_secret "$(qemu_log vm)" "$T/status.wrong"
qemu_powerdown_clean vm
echo "PASS: private registry: pulled with the cluster file's credentials over verified TLS; a wrong password is one status line, retried, and creates nothing"
