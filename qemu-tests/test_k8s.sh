#!/usr/bin/env bash
# Kubernetes for real: paddock nodes on a private LAN (lan.sh) run a control
# plane and kubelets that work together, checked with kubectl and etcdctl
# from the LAN's namespace and the operator files of OUT only.
#   - the Kubernetes components are genuine upstream v1.20.2 built from
#     Debian's source (../shared/k8s), in test images made here by paddock's
#     own image tooling (qemu-tests/k8s-images.sh: paddock-test/kubernetes,
#     pause, nginx-proxy, httpd; never Rancher's names) and pushed to
#     Debian's docker-registry in the namespace (TLS + htpasswd), pinned in
#     the cluster file's system_images;
#   - the cluster file (written here): kubernetes_version v1.20.15-rancher2-2,
#     audit log and secrets encryption on, paddock's pod network (bridge CNI,
#     routes between nodes, network.plugin: none);
#   - CI: node1 [controlplane, etcd, worker] and node2 [worker] (it reaches
#     the API through nginx-proxy).  K8S_HA=1 (make k8s-ha): node1-3 with
#     every role and node4 [worker]; node2 is killed and comes back.
# Checks: every API server's /healthz and /readyz through its own address;
# the scheduler's and the controller-manager's leader leases held; every
# node Ready, registered by its own kubelet certificate (system:node:NAME:
# node1's certificate may not label node2, NodeRestriction); a Deployment
# of two httpd pods on two nodes, `kubectl logs` and `kubectl exec`, one pod
# reaching the other over the pod network with its own address (no NAT: the
# other's httpd logs it), a ClusterIP Service answering in
# a pod on the worker-only node; a Secret read straight from etcd is
# k8s:enc:secretbox:v1: and holds no plaintext; the audit log on node1's state
# disk has the secret's create at level Metadata and no data; /api without
# credentials 401, a service account with no binding 403 on secrets, the
# kubelet's read-only port 10255 closed; `paddockctl status` lists the role
# containers running.  Prints power-on → all nodes Ready, → the Deployment
# answering, and node1's memory once Ready.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
. qemu-tests/lan.sh
. qemu-tests/registry-lib.sh
T=$QEMU_TMP
HA=${K8S_HA:-}
t_start=$(now)

for tool in kubectl etcdctl docker-registry skopeo htpasswd openssl jq; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (make deps)"
done
[ -f ../shared/k8s/kubernetes-v1.20.2-debian-amd64.tar.zst ] || [ -n "${PADDOCK_SHARED:-}" ] ||
	skip "../shared/k8s (the test's Kubernetes binaries) is missing"
lan_create k8s 10.10.0.1/24 || skip "$LAN_ERROR"
lan_check_isolated >/dev/null || fail "$LAN_ERROR"
# the registry listens on the gateway's address; the namespace's own
# clients (skopeo) reach it through lo
lan_exec ip link set lo up || fail "lo in the namespace"

# --- registry and images ----------------------------------------------------
USER_NAME=paddock-tester
PW=$(openssl rand -hex 12)
REG=10.10.0.1:5000
REG_EXEC="ip netns exec $LAN_NS"
registry_setup "$T/registry" 5000 10.10.0.1 10.10.0.1
registry_start "$USER_NAME" "$PW"
t=$(now)
qemu-tests/k8s-images.sh "$T/images" "$REG" "$USER_NAME" "$PW" >"$T/images.log" 2>&1 || {
	cat "$T/images.log"
	fail "test images"
}
echo "test images built and pushed to $REG in $(echo "$(now) $t" | awk '{printf "%.0f", $1 - $2}') s"

# --- the cluster --------------------------------------------------------------
if [ -n "$HA" ]; then
	CP=(node1 node2 node3) WORKERS=(node4)
else
	CP=(node1) WORKERS=(node2)
fi
ALL=("${CP[@]}" "${WORKERS[@]}")
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
{
	cat <<EOF
cluster_name: k8s
kubernetes_version: v1.20.15-rancher2-2
ssh_key_path: $T/id
nodes:
EOF
	i=0
	for n in "${ALL[@]}"; do
		i=$((i + 1))
		role="[worker]"
		case " ${CP[*]} " in *" $n "*) role="[controlplane, etcd, worker]" ;; esac
		cat <<EOF
  - address: 10.10.0.1$i
    hostname_override: $n
    user: rancher
    role: $role
    paddock: {mac: "52:54:00:00:04:0$i", network: {address: 10.10.0.1$i/24}}
EOF
	done
	cat <<EOF
services:
  etcd: {uid: 52034, gid: 52035}
  kube-api:
    audit_log: {enabled: true}
    secrets_encryption_config: {enabled: true}
  # under emulation a renewal can take longer than the 10 s the leaders
  # are given by default; a lost lease restarts the component
  kube-controller:
    extra_args: {leader-elect-lease-duration: 120s, leader-elect-renew-deadline: 100s, leader-elect-retry-period: 15s}
  scheduler:
    extra_args: {leader-elect-lease-duration: 120s, leader-elect-renew-deadline: 100s, leader-elect-retry-period: 15s}
network: {plugin: none}
system_images:
  kubernetes: $REG/paddock-test/kubernetes:v1.20.2-debian
  pod_infra_container: $REG/paddock-test/pause:3.4-debian
  nginx_proxy: $REG/paddock-test/nginx-proxy:1-debian
private_registries:
  - url: $REG
    user: $USER_NAME
    password: $PW
    is_default: true
    paddock: {ca_cert: $T/registry/ca.pem}
paddock:
  defaults:
    network: {mode: static, gateway: 10.10.0.1, dns: [10.10.0.1]}
    state_disk: /dev/vda
    debug_shell: true
  pod_network: bridge
EOF
} >"$T/cluster.yml"
"$PADDOCK" build "$T/cluster.yml" -q -o "$T/out" --formats kernel,initrd 2>"$T/build.err" ||
	{ cat "$T/build.err"; fail "paddock build"; }
"$PADDOCK" plan --json "$T/cluster.yml" >"$T/plan.json" || fail "paddock plan"
KCFG=$T/out/kube_config_cluster.yml  # RKE names it after the cluster file
[ -f "$KCFG" ] || fail "no kube_config_cluster.yml in the output"
! grep -rqF "$PW" "$KCFG" "$T/build.err" || fail "the registry password is printed"

declare -A TAP=()
lan_plan_read "$T/plan.json"
i=0
for n in "${ALL[@]}"; do
	i=$((i + 1))
	TAP[$n]=tap$i
	lan_tap "${TAP[$n]}" || fail "$LAN_ERROR"
	truncate -s 6G "$T/$n.disk" || fail "disk image"
done
# memory: a control-plane node runs etcd, the API server and the rest
mem() { case " ${CP[*]} " in *" $1 "*) echo 2048 ;; *) echo 1280 ;; esac; }
boot() { # boot NODE RUN-NAME
	lan_qemu_start "$2" "${TAP[$1]}" "${MAC[$1]}" -m "$(mem "$1")" -kernel "$T/out/$1/vmlinuz" \
		-initrd "$T/out/$1/initrd.img" -append "$(cat "$T/out/$1/cmdline") paddock.shell" \
		-drive "file=$T/$1.disk,if=virtio,format=raw" || fail "$1: qemu did not start"
}
for n in "${ALL[@]}"; do boot "$n" "$n"; done
t_on=$(now)
since_on() { echo "$(now) $t_on" | awk '{printf "%.0f", $1 - $2}'; }

# kubectl and etcdctl from the namespace, with the operator's files only
k() { lan_exec timeout 60 kubectl --kubeconfig "$KCFG" --request-timeout=50s "$@"; }
ectl() { with_etcdctl_env "$T/out" lan_exec timeout 20 etcdctl --dial-timeout=5s --command-timeout=8s "$@"; }
gssh() { (cd "$T" && lan_exec timeout 60 ssh -F out/ssh_config -o BatchMode=yes -o ConnectTimeout=20 "$@"); }
# wait_for SECONDS WHAT CMD...: CMD until it succeeds; the guests' consoles
# and CMD's last output on timeout
wait_for() {
	# (no locals but _-prefixed ones: bash scopes dynamically, and CMD may
	# read its caller's variables, such as a node name in $n)
	local _secs=$1 _what=$2 _deadline _g
	shift 2
	_deadline=$(($(date +%s) + _secs))
	until "$@" >"$T/wait.out" 2>&1; do
		for _g in "${ALL[@]}"; do
			kill -0 "${QEMU_PID[$_g]}" 2>/dev/null || { qemu_wait "$_g" '^never' 1; fail "$_g: guest exited"; }
		done
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			for _g in "${ALL[@]}"; do
				echo "--- $_g:"
				tr -d '\r' <"$(qemu_log "$_g")" | grep -a '^paddock:' | tail -n 15
			done
			tail -n 20 "$T/wait.out"
			fail "$_what: not within $_secs s"
		fi
		sleep 5
	done
}

# --- every node Ready -----------------------------------------------------------
all_ready() {
	k get nodes -o json | jq -e --argjson n "${#ALL[@]}" '[.items[] |
		select(any(.status.conditions[]; .type == "Ready" and .status == "True"))] | length == $n' >/dev/null
}
wait_for 1500 "every node Ready" all_ready
READY=$(since_on)
k get nodes -o wide | sed 's/^/nodes: /'
echo "power-on to every node Ready: $READY s"
for n in "${CP[@]}"; do
	echo "$n: $(gssh "$n" free -m | awk '/^Mem:/ {print "RAM in use once Ready: " $3 " MiB of " $2}')"
done

# each API server, through its own address
# (Ready nodes come before the API server's own start is done: under
# emulation its RBAC bootstrap takes minutes more)
for n in "${CP[@]}"; do
	for path in /healthz /readyz; do
		says_ok() { [ "$(k --server "https://${ADDR[$n]}:6443" get --raw "$path")" = ok ]; }
		wait_for 600 "$n: $path" says_ok
	done
	echo "$n: kube-apiserver at https://${ADDR[$n]}:6443 answers /healthz and /readyz: ok"
done
# the leader leases
for l in kube-scheduler kube-controller-manager; do
	holder() { k -n kube-system get lease "$l" -o jsonpath='{.spec.holderIdentity}' | grep -q .; }
	wait_for 300 "$l's leader lease" holder
	echo "lease $l held by $(k -n kube-system get lease "$l" -o jsonpath='{.spec.holderIdentity}')"
done

# each kubelet its own certificate: system:node:NAME, confined to its node
for n in "${ALL[@]}"; do
	mkdir -p "$T/layer-$n"
	(cd "$T/layer-$n" && zstd -dc "$T/out/$n/node.img" | cpio -i -d --quiet 2>/dev/null) || fail "$n: node layer"
	subj=$(openssl x509 -noout -subject -nameopt RFC2253 -in "$T/layer-$n/etc/kubernetes/ssl/kube-node.pem")
	s=",${subj#subject=},"
	[[ $s == *",CN=system:node:$n,"* && $s == *",O=system:nodes,"* ]] || fail "$n: the kubelet's certificate is $subj"
done
n1=${ALL[0]} other=${WORKERS[0]}
nodeauth() {
	lan_exec timeout 60 kubectl --server "https://${ADDR[$n1]}:6443" \
		--certificate-authority "$T/layer-$n1/etc/kubernetes/ssl/kube-ca.pem" \
		--client-certificate "$T/layer-$n1/etc/kubernetes/ssl/kube-node.pem" \
		--client-key "$T/layer-$n1/etc/kubernetes/ssl/kube-node-key.pem" "$@"
}
nodeauth label node "$n1" paddock-test/self=yes --overwrite >/dev/null || fail "$n1's kubelet may not label its own node"
if out=$(nodeauth label node "$other" paddock-test/forged=yes 2>&1); then
	fail "$n1's kubelet certificate labelled $other"
fi
echo "$out" | grep -q "forbidden" || fail "labelling $other as $n1: $out"
echo "each kubelet is system:node:NAME: $n1's certificate labels $n1, and labelling $other is forbidden"

# --- a Deployment on two nodes, a Service ----------------------------------------
cat >"$T/web.yml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
      containers:
        - name: httpd
          image: $REG/paddock-test/httpd:1
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
EOF
k apply -f "$T/web.yml" >/dev/null || fail "kubectl apply"
available() { k rollout status deployment/web --timeout=40s; }
wait_for 900 "the Deployment available" available
k get pods -o wide | sed 's/^/pods: /'
mapfile -t PODS < <(k get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\n"}{end}')
[ "${#PODS[@]}" = 2 ] || fail "expected 2 pods, got ${#PODS[@]}"
read -r p1 h1 ip1 <<<"${PODS[0]}"
read -r p2 h2 ip2 <<<"${PODS[1]}"
[ "$h1" != "$h2" ] || fail "both pods run on $h1"
# API server → kubelet (its client certificate; the kubelet's serving one)
k logs "$p1" >/dev/null || fail "kubectl logs $p1"
[ "$(k exec "$p1" -- hostname)" = "$p1" ] || fail "kubectl exec $p1"
# pod to pod over the pod network, across the nodes
# (busybox nc: the static busybox's wget crashes in an image without NSS)
get() { k exec "$1" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 10 $2 | tail -n 1"; }
out=$(get "$p1" "$ip2 8080") || fail "$p1 on $h1 does not reach $p2 ($ip2) on $h2"
echo "$out" | grep -q "$p2" || fail "$p2 answered: $out"
echo "pod $p1 on $h1 reached pod $p2 on $h2 at $ip2: $out"
# without NAT: $p2's httpd (-v) logged the request from $p1's own address,
# not from $h1's (on timeout, the peers it did log)
from_p1() {
	k logs "$p2" >"$T/p2.log" || return 1
	grep -Eq "^${ip1//./\\.}:[0-9]+: response:" "$T/p2.log" || { tail -n 3 "$T/p2.log"; return 1; }
}
wait_for 30 "$p2 logging a request from $p1's own address $ip1 (NAT between pods?)" from_p1
echo "$p2 logged $p1's own address: $(grep -E "^${ip1//./\\.}:" "$T/p2.log" | tail -n 1)"
# the Service from the worker-only node's pod (kube-proxy's rules there)
CIP=$(k get service web -o jsonpath='{.spec.clusterIP}')
wp=$p1
[ "$h2" = "$other" ] && wp=$p2
answer() { get "$wp" "$CIP 80" | grep -q 'paddock-test httpd on web-'; }
wait_for 120 "the Service from $other" answer
echo "Service web ($CIP) answers in $wp on $other: $(get "$wp" "$CIP 80")"
echo "power-on to the Deployment answering: $(since_on) s"

# --- secrets encrypted in etcd; the audit log ------------------------------------------
SECRET=$(openssl rand -hex 16)
k create secret generic paddock-test-secret --from-literal=value="$SECRET" >/dev/null || fail "kubectl create secret"
ectl --endpoints="https://${ADDR[$n1]}:2379" get /registry/secrets/default/paddock-test-secret --print-value-only \
	>"$T/secret.raw" || fail "etcdctl get the secret"
# paddock's encryption configuration uses secretbox (builder/pki/node_files.c
# says why not RKE's aescbc)
head -c 21 "$T/secret.raw" | grep -q '^k8s:enc:secretbox:v1:' ||
	fail "the secret in etcd is not secretbox-encrypted: $(head -c 40 "$T/secret.raw" | od -c | head -2)"
! grep -qaF "$SECRET" "$T/secret.raw" || fail "the secret's value is in etcd in plain text"
echo "etcd holds the secret as $(head -c 26 "$T/secret.raw")... without its value"
# the audit log, read on node1's root console (the SSH user's container
# does not see /var/log): the create's lines, their level, whether the value
# is anywhere in the log, and the file system holding it
qemu_console "$n1" "f=/var/log/kube-audit/audit-log.json; grep -h '\"name\":\"paddock-test-secret\"' \$f | grep '\"verb\":\"create\"' | grep '\"stage\":\"ResponseComplete\"' >/tmp/ac; echo AUDIT \$(wc -l </tmp/ac) \$(grep -c '\"level\":\"Metadata\"' /tmp/ac) \$(grep -c $SECRET \$f) \$(df -P /var/log/kube-audit | awk 'NR==2 {print \$1}') END; cut -c1-300 /tmp/ac | sed 's/^/AUDITLINE /'"
qemu_wait "$n1" '^AUDIT [0-9]+ [0-9]+ [0-9]+ [^ ]+ END' 60 >/dev/null || fail "the audit check on $n1's console"
read -r _ lines meta plain dev _ < <(tr -d '\r' <"$(qemu_log "$n1")" | grep -a '^AUDIT [0-9]' | tail -n 1)
[ "$lines" -ge 1 ] || fail "no create of the secret in the audit log"
[ "$meta" = "$lines" ] || fail "$lines create line(s) of the secret, $meta at level Metadata"
[ "$plain" = 0 ] || fail "the secret's value is in the audit log ($plain lines)"
[ "$dev" = /dev/vda1 ] || fail "the audit log is on $dev, not the state disk /dev/vda1"
echo "audit log on $n1's state disk ($dev): the secret's create at level Metadata, its value nowhere"
tr -d '\r' <"$(qemu_log "$n1")" | grep -a '^AUDITLINE ' | head -n 1 | cut -c11- | sed 's/^/audit: /'

# --- refused access --------------------------------------------------------------------
code=$(lan_exec curl -sk -o /dev/null -w '%{http_code}' "https://${ADDR[$n1]}:6443/api") || fail "curl /api"
[ "$code" = 401 ] || fail "/api without credentials: HTTP $code, not 401"
k create serviceaccount nobody >/dev/null || fail "service account"
token() { k get secret "$(k get sa nobody -o jsonpath='{.secrets[0].name}')" -o jsonpath='{.data.token}' | base64 -d; }
wait_for 60 "the service account's token" token
TOKEN=$(token)
if out=$(lan_exec timeout 60 kubectl --server "https://${ADDR[$n1]}:6443" --insecure-skip-tls-verify \
	--token "$TOKEN" get secrets -A 2>&1); then fail "a user with no role lists secrets"; fi
echo "$out" | grep -q Forbidden || fail "get secrets -A as nobody: $out"
for n in "${ALL[@]}"; do
	! lan_exec timeout 5 bash -c "exec 3<>/dev/tcp/${ADDR[$n]}/10255" 2>/dev/null || fail "$n: the kubelet's read-only port 10255 is open"
done
echo "unauthenticated /api 401; service account nobody 403 on secrets; port 10255 closed on every node"

# --- paddockctl status ----------------------------------------------------------------
gssh "$n1" paddockctl status >"$T/status" || fail "paddockctl status"
for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
	grep -qE "^$c +running +[0-9]+ .* running" "$T/status" || { cat "$T/status"; fail "status: $c"; }
done
grep -E '^(kube|etcd)' "$T/status" | sed "s/^/$n1 status: /"

# --- HA only: a control-plane node lost and back ------------------------------------
if [ -n "$HA" ]; then
	lost=${CP[1]}
	kill "${QEMU_PID[$lost]}" && wait "${QEMU_PID[$lost]}" 2>/dev/null
	t=$(now)
	via=https://${ADDR[${CP[2]}]}:6443
	wait_for 300 "kubectl through ${CP[2]} with $lost gone" k --server "$via" create configmap paddock-test-after-loss
	k --server "$via" get nodes >/dev/null || fail "list through ${CP[2]}"
	echo "$lost killed: a create through ${CP[2]} $(echo "$(now) $t" | awk '{printf "%.0f", $1 - $2}') s later"
	state() { k --server "$via" get node "$lost" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'; }
	notready() { [ "$(state)" != True ]; }
	wait_for 300 "$lost NotReady" notready
	boot "$lost" "$lost-again"
	t=$(now)
	ready() { [ "$(state)" = True ]; }
	wait_for 1200 "$lost Ready again" ready
	tr -d '\r' <"$(qemu_log "$lost-again")" | grep -qa 'formatted on this boot' && fail "$lost formatted its disk again"
	echo "$lost back on its disk and Ready $(echo "$(now) $t" | awk '{printf "%.0f", $1 - $2}') s after its power-on"
fi
echo "test_k8s: $(echo "$(now) $t_start" | awk '{printf "%.0f", $1 - $2}') s in all"
