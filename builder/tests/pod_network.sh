#!/usr/bin/env bash
# paddock.pod_network: bridge on the command line: the plan shows each
# node's subnet and routes (text and --json), and validate refuses it with
# RKE's default network plugin at the key's line.
. "$(dirname "$0")/testlib.bash"

cat >"$TMP/c.yml" <<'YML'
kubernetes_version: v1.20.15-rancher2-2
nodes:
  - address: 10.10.0.11
    user: rancher
    role: [controlplane, etcd, worker]
  - address: 192.168.9.4
    internal_address: 10.10.0.12
    user: rancher
    role: [worker]
network:
  plugin: none
paddock:
  pod_network: bridge
YML

run plan "$TMP/c.yml"; expect_rc 0 "plan"
printf '%s' "$out" | grep -qx 'pod network: bridge (paddock.s own), a /24 of 10.42.0.0/16 per node' \
	&& ok "text plan names the pod network" || bad "text plan: no pod network line"
printf '%s' "$out" | grep -qx '  pods: 10.42.12.0/24; routes 10.42.11.0/24 via 10.10.0.11' \
	&& ok "text plan: the worker's subnet and route" || bad "text plan: worker's pods line: $out"

run plan --json "$TMP/c.yml"; expect_rc 0 "plan --json"
printf '%s' "$out" >"$TMP/p.json"
python3 - "$TMP/p.json" <<'PY' && ok "JSON plan: pod network, subnets, routes, controller flag" || bad "JSON plan content"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["pod_network"] == "bridge" and p["network_plugin"] == "none"
a, b = p["nodes"]
assert a["pod_cidr"] == "10.42.11.0/24" and a["pod_routes"] == ["10.42.12.0/24 via 10.10.0.12"], a
assert b["pod_cidr"] == "10.42.12.0/24" and b["pod_routes"] == ["10.42.11.0/24 via 10.10.0.11"], b
cm = [c for c in a["containers"] if c["name"] == "kube-controller-manager"][0]
assert "--allocate-node-cidrs=false" in cm["args"], cm["args"]
kl = [c for c in b["containers"] if c["name"] == "kubelet"][0]
assert "--network-plugin=cni" in kl["args"] and "/opt/cni:/opt/cni:rw,z" in kl["binds"], kl
PY

run plan --json configs/single-node.yml
printf '%s' "$out" | python3 -c 'import json,sys; p=json.load(sys.stdin); assert p["pod_network"]=="none" and p["nodes"][0]["pod_cidr"] is None and p["nodes"][0]["pod_routes"]==[]' \
	&& ok "without it: pod_network none, no subnets" || bad "single-node: pod fields"

sed '/^network:/d; /^  plugin: none/d' "$TMP/c.yml" >"$TMP/d.yml"
run validate "$TMP/d.yml"; expect_rc 1 "bridge with RKE's default plugin"
expect_err "d\.yml:11:16: paddock\.pod_network: bridge needs network\.plugin: none" "error at pod_network's line"
finish
