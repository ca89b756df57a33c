#!/usr/bin/env bash
# Messages that point at the real mistake (issue 26): placeholder node
# addresses, a Rancher cluster export, flags a Kubernetes release removed,
# a pasted shell prompt, suggestions that know their section,
# pod_security_policy, long template lists, line order, lower-cased host
# names.  Each case: the exit status and the message with FILE:LINE:COL.
. "$(dirname "$0")/testlib.bash"

n=0
H='nodes:
  - address: 10.10.0.11
    user: u
    role: [etcd, controlplane, worker]'

# count REGEX: lines of stderr matching
count() { grep -Ec -- "$1" "$TMP/err"; }

# --- node addresses -----------------------------------------------------------------
case_ 1 '2:14: nodes\[0\]\.address: `<master_ip>` is a placeholder, not an address' "placeholder in <>" <<YML
nodes:
  - address: <master_ip>
    hostname_override: m1
    user: u
    role: [etcd, controlplane, worker]
YML
case_ 1 '3:23: nodes\[0\]\.internal_address: `Master node IP` is a placeholder' "placeholder with spaces" <<YML
nodes:
  - address: 10.10.0.11
    internal_address: Master node IP
    user: u
    role: [etcd, controlplane, worker]
YML
case_ 1 '2:14: nodes\[0\]\.address: `YOUR-SERVER-IP` is a placeholder, not an address' "upper-case placeholder" <<YML
nodes:
  - address: YOUR-SERVER-IP
    user: u
    role: [etcd, controlplane, worker]
YML
case_ 1 '2:14: nodes\[0\]\.address: `<IP>` is a placeholder, not an address: .*\(RKE: Hostname_override \[<ip>\] for host \(1\) is not valid\)' "placeholder without hostname_override: RKE's error, the address named" <<YML
nodes:
  - address: <IP>
    user: u
    role: [etcd, controlplane, worker]
YML
case_ 1 '2:14: nodes\[0\]\.address: `10\.0\.0\.256` is not an IPv4 address' "impossible IPv4" <<YML
nodes:
  - address: 10.0.0.256
    hostname_override: n1
    user: u
    role: [etcd, controlplane, worker]
YML
case_ 0 '5:14: warning: nodes\[1\]\.address: `127\.0\.0\.1` is a loopback address, but the cluster has 2 nodes' "loopback among several nodes" <<YML
$H
  - address: 127.0.0.1
    hostname_override: n2
    user: u
    role: [worker]
YML
case_ 0 '' "loopback on a single node: no warning" <<YML
nodes:
  - address: 127.0.0.1
    user: u
    role: [etcd, controlplane, worker]
YML
[ "$(count loopback)" -eq 0 ] && ok "single node: loopback not warned" || bad "single node: loopback warned"
case_ 0 '' "a host name in upper case" <<YML
nodes:
  - address: 10.10.0.11
    hostname_override: Node-A
    user: u
    role: [etcd, controlplane, worker]
  - address: 10.10.0.12
    hostname_override: Node-B
    user: u
    role: [worker]
  - address: node-c.example.com
    user: u
    role: [worker]
YML
expect_err "^$f:3:24: warning: nodes\[0\]\.hostname_override: \`Node-A\` becomes the node name \`node-a\`: Kubernetes node names are lower case \(so are 1 more nodes' names\)" "lower-cased: said once, at the first"
[ "$(count 'lower case')" -eq 1 ] && ok "lower-cased: one warning" || bad "lower-cased: $(count 'lower case') warnings"

# --- flags a Kubernetes release removed ------------------------------------------------
case_ 0 '9:7: warning: services\.kubelet\.extra_args\.container-runtime: the kubelet has no --container-runtime since Kubernetes v1\.27 \(kubernetes_version is v1\.30\.5-rancher1-1\)' "kubelet --container-runtime on 1.30" <<YML
$H
kubernetes_version: v1.30.5-rancher1-1
services:
  kubelet:
    extra_args:
      container-runtime: remote
      network-plugin: cni
  kube-controller:
    extra_args_array:
      pod-eviction-timeout: [1m]
YML
expect_err "^$f:10:7: warning: services\.kubelet\.extra_args\.network-plugin: the kubelet has no --network-plugin since Kubernetes v1\.24" "kubelet --network-plugin on 1.30"
expect_err "^$f:13:7: warning: services\.kube-controller\.extra_args_array\.pod-eviction-timeout: the kube-controller-manager has no --pod-eviction-timeout since Kubernetes v1\.27" "extra_args_array too"
case_ 0 '' "the same flags on 1.23: no warning" <<YML
$H
kubernetes_version: v1.23.16-rancher2-3
services:
  kubelet:
    extra_args:
      container-runtime: remote
      network-plugin: cni
YML
[ "$(count 'since Kubernetes')" -eq 0 ] && ok "1.23: nothing removed yet" || bad "1.23: a removed flag warned"

# --- a pasted shell prompt ----------------------------------------------------------------
case_ 1 '1:1: `\[root@node1 ~\]# cat cluster\.yml` is a shell prompt and command, pasted with the file' "prompt before the file" <<YML
[root@node1 ~]# cat cluster.yml
$H
YML
[ "$(count 'second YAML document')" -eq 0 ] && ok "prompt: no second-document warning" || bad "prompt: a second-document warning"
case_ 1 '1:1: `ubuntu@cp-1:~\$ cat cluster\.yml` is a shell prompt' "user@host:~\$ prompt" <<YML
ubuntu@cp-1:~\$ cat cluster.yml
$H
YML
case_ 1 '5:1: `\$ rke up` is a shell prompt' "prompt after the file" <<YML
$H
\$ rke up
YML
case_ 1 '6:1: `PS C:\\Users\\me> rke up` is a shell prompt' "PowerShell prompt" <<YML
$H

PS C:\\Users\\me> rke up
YML
case_ 0 '' "a prompt in a comment or a value is no prompt" <<YML
# \$ rke up
$H
    labels:
      cmd: "\$ rke up"
YML
case_ 0 '' "an empty hostname_override is no lower-casing" <<YML
nodes:
  - address: Node-C.example.com
    hostname_override: ""
    user: u
    role: [etcd, controlplane, worker]
YML
expect_err "^$f:2:14: warning: nodes\[0\]\.address: \`Node-C\.example\.com\` becomes the node name \`node-c\.example\.com\`" "empty hostname_override: the address named"
[ "$(count '\`\` becomes')" -eq 0 ] && ok "empty hostname_override: not named" || bad "empty hostname_override named"

# --- a Rancher cluster export ------------------------------------------------------------
case_ 1 '1:1: nodes: no node has the etcd role' "Rancher export" <<YML
name: prod
docker_root_dir: /var/lib/docker
rancher_kubernetes_engine_config:
  kubernetes_version: v1.30.5-rancher1-1
  network:
    plugin: canal
YML
expect_err "^$f:3:1: note: this looks like a Rancher cluster export: RKE's cluster file is its \`rancher_kubernetes_engine_config:\` block; use that block's content, un-indented and with \`nodes:\`, as the cluster file" "Rancher export: a note at the block"
expect_err "^$f:3:1: warning: rancher_kubernetes_engine_config: Rancher's cluster export" "Rancher export: the block's warning"

# --- suggestions that know their section ----------------------------------------------------
case_ 0 '4:5: warning: nodes\[0\]\.name: unknown key, ignored by RKE; did you mean `hostname_override`\?' "a node's name" <<YML
nodes:
  - address: 10.10.0.11
    user: u
    name: cp-1
    role: [etcd, controlplane, worker]
name: prod
cluster_name: prod
YML
expect_err "^$f:6:1: warning: name: unknown key, ignored by RKE; did you mean \`cluster_name\`\?" "top-level name beside cluster_name"
[ "$(count 'cloud_provider')" -eq 0 ] && ok "name: cloud_provider.name not offered" || bad "name: cloud_provider.name offered"
case_ 0 '5:1: warning: plugin: not a key at this level.*did you mean `network\.plugin`' "a top-level key of a section: still offered" <<YML
$H
plugin: canal
YML

# --- pod_security_policy -----------------------------------------------------------------
case_ 0 '' "pod_security_policy: false" <<YML
$H
services:
  kube-api:
    pod_security_policy: false
YML
[ "$(count pod_security_policy)" -eq 0 ] && ok "pod_security_policy: false not warned" || bad "pod_security_policy: false warned"
case_ 0 '7:5: warning: services\.kube-api\.pod_security_policy: removed in RKE v1\.6' "pod_security_policy: true" <<YML
$H
services:
  kube-api:
    pod_security_policy: true
YML

# --- a template error lists at most 5 others --------------------------------------------------
{
	echo "nodes:"
	for i in 1 2 3 4 5 6 7 8 9; do
		printf '  - address: "{{ node%s }}"\n    user: u\n    role: [etcd]\n' "$i"
	done
} >"$TMP/tmpl"
case_ 1 '2:14: nodes\[0\]\.address: unrendered template `\{\{ node1 \}\}`' "nine templates" <"$TMP/tmpl"
[ "$(count ': note: nodes\[[0-9]\]\.address: unrendered template')" -eq 5 ] && ok "templates: five listed" || bad "templates: $(count ': note: ') notes"
expect_err "^$f: note: and 3 more unrendered templates\$" "templates: and 3 more"
{
	echo "nodes:"
	for i in 1 2 3 4 5 6 7; do
		printf '  - address: {{ node%s }}\n' "$i"
	done
} >"$TMP/tmpl"
case_ 1 '2:14: unrendered template `\{\{ node1 \}\}`' "templates YAML cannot read" <"$TMP/tmpl"
[ "$(count ': note: unrendered template')" -eq 5 ] && ok "YAML templates: five listed" || bad "YAML templates: $(count ': note: ') notes"
expect_err "^$f: note: and 1 more unrendered templates\$" "YAML templates: and 1 more"

# --- line order -------------------------------------------------------------------------
case_ 1 '9:11: network\.plugin: Network plugin \[bogus\] is not supported' "the error among the warnings, in line order" <<YML
nodes:
  - address: 10.10.0.11
    rolez: [etcd]
    user: u
    role: [etcd, controlplane, worker]
kubernetes_version: v1.30.5-rancher1-1
network:
  mtu: 0
  plugin: bogus
cluster_nme: x
YML
order=$(grep -Eo '^[^:]+:[0-9]+' "$TMP/err" | cut -d: -f2 | tr '\n' ' ')
[ "$order" = "3 9 10 " ] && ok "error in line order: $order" || bad "error in line order: $order"
case_ 0 '3:5: warning: nodes\[0\]\.rolez' "warnings of every pass in line order" <<YML
nodes:
  - address: 10.10.0.11
    rolez: [etcd]
    user: u
    role: [etcd, controlplane, worker]
kubernetes_version: v1.30.5-rancher1-1
services:
  kubelet:
    extra_args:
      container-runtime: remote
cluster_name: a
cluster_name: b
YML
order=$(grep -Eo '^[^:]+:[0-9]+' "$TMP/err" | cut -d: -f2 | tr '\n' ' ')
[ "$order" = "3 10 12 " ] && ok "warnings in line order: $order" || bad "warnings in line order: $order"

finish
