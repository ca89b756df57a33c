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

finish
