#!/usr/bin/env bash
# Messages about RKE's version table (unknown and retired versions, images,
# version-dependent rules), unrendered templates (every one listed, no
# secret shown), YAML documents after the first, clusters without a worker,
# and files written for other tools.  Each case: the exit status and the
# message with its FILE:LINE:COL.
. "$(dirname "$0")/testlib.bash"

n=0
ALL_IMAGES='system_images:
  etcd: e:1
  kubernetes: k:v1.33.1
  pod_infra_container: p:1
  alpine: t:1
  nginx_proxy: t:1
  cert_downloader: t:1
  kubernetes_services_sidecar: t:1
  canal_node: c:1
  canal_cni: c:1
  canal_flannel: c:1
  coredns: d:1
  coredns_autoscaler: d:1
  metrics_server: m:1
  ingress: i:1
  ingress_backend: i:1
  ingress_webhook: i:1'

# --- versions -------------------------------------------------------------------
case_ 1 '5:21: kubernetes_version: v1\.32\.5-rancher1-1 is an unsupported Kubernetes version and system images are not populated: etcd image is not populated' "unknown version" <<YML
$H
kubernetes_version: v1.32.5-rancher1-1
YML
case_ 1 '5:21: kubernetes_version: v1\.33\.1-rancher1-1 is an unsupported .*: ingress webhook image is not populated' "unknown version, one image missing" <<YML
$H
kubernetes_version: v1.33.1-rancher1-1
$(printf '%s\n' "$ALL_IMAGES" | grep -v ingress_webhook)
YML
case_ 0 '5:21: warning: kubernetes_version: v1\.33\.1-rancher1-1 is not in RKE.s version table \(the version data paddock carries: KDM dev-v2\.9, RKE v1\.6\): every image comes from system_images, so this combination is your own' "unknown version, every image given" <<YML
$H
kubernetes_version: v1.33.1-rancher1-1
$ALL_IMAGES
YML
case_ 0 '5:21: warning: kubernetes_version: v1\.18\.12-rancher1-1: RKE releases after 1\.3\.99 no longer offer this minor \(its maxRKEVersion in the version data paddock carries: KDM dev-v2\.9, RKE v1\.6\)' "version RKE no longer offers" <<YML
$H
kubernetes_version: v1.18.12-rancher1-1
YML
case_ 0 '7:15: warning: system_images\.kubernetes: `rancher/hyperkube:v1\.29\.9-rancher1` is Kubernetes v1\.29\.9, but kubernetes_version is v1\.30\.5-rancher1-1.*v1\.29.s default flags instead of v1\.30.s' "kubernetes image of another version" <<YML
$H
kubernetes_version: v1.30.5-rancher1-1
system_images:
  kubernetes: rancher/hyperkube:v1.29.9-rancher1
YML
run plan --json "$f"
printf '%s' "$out" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["default_flags"] == "v1.29", p["default_flags"]
assert p["system_images"]["kubernetes"] == "rancher/hyperkube:v1.29.9-rancher1"
assert p["system_images"]["etcd"] == "paddock/etcd:3.4.23-debian"  # bundled by default
' && ok "plan --json: the image's minor's flags, the table's other images" || bad "plan --json: default_flags/system_images"

# --- what a Kubernetes release removed -------------------------------------------
case_ 1 '7:11: network\.plugin: weave CNI support is removed for k8s version >=1\.30\.0' "weave from 1.30" <<YML
$H
kubernetes_version: v1.30.5-rancher1-1
network:
  plugin: weave
YML
case_ 0 '7:11: warning: network\.plugin: Weave CNI plugin is deprecated starting with Kubernetes v1\.27' "weave in 1.27-1.29" <<YML
$H
kubernetes_version: v1.29.9-rancher1-1
network:
  plugin: weave
YML
case_ 1 '6:9: authorization\.mode: `none`: PodSecurity can.t be enabled with RBAC support disabled: RKE turns PodSecurity on' "RBAC off from 1.23 points at authorization.mode" <<YML
$H
authorization:
  mode: none
YML
case_ 1 '6:9: authorization\.mode: `none`: PodSecurity can.t be enabled with RBAC support disabled: services\.kube-api\.pod_security_configuration is `restricted` \(line 9\)' "RBAC off with a PodSecurity level" <<YML
$H
authorization:
  mode: none
services:
  kube-api:
    pod_security_configuration: restricted
YML
case_ 1 '7:9: cloud_provider\.name: Cloud provider aws is invalid for \[v1\.27\.16-rancher1-1\]' "in-tree aws from 1.27" <<YML
$H
kubernetes_version: v1.27.16-rancher1-1
cloud_provider:
  name: aws
YML
case_ 0 '5:21: warning: enable_cri_dockerd: false, but Kubernetes 1\.24 and later have no dockershim' "cri-dockerd off from 1.24" <<YML
$H
enable_cri_dockerd: false
YML
case_ 1 '6:21: enable_cri_dockerd: Enabling cri-dockerd for cluster version \[v1\.20\.15-rancher2-2\] is not supported' "cri-dockerd before 1.21" <<YML
$H
kubernetes_version: v1.20.15-rancher2-2
enable_cri_dockerd: true
YML
case_ 1 '9:11: network\.plugin: Network plugin \[canal\] does not support IPv6 \(dualstack\)' "dual-stack pod CIDRs" <<YML
$H
services:
  kube-controller:
    cluster_cidr: 10.42.0.0/16,fd42::/56
network:
  plugin: canal
YML

# --- templates ---------------------------------------------------------------------
case_ 1 '2:14: nodes\[0\]\.address: unrendered template `\{% raw %\}`' "Jinja statement" <<YML
nodes:
  - address: "{% raw %}10.0.0.1{% endraw %}"
    user: u
    role: [etcd]
YML
expect_err "^$f:2:14: note: nodes\[0\]\.address: unrendered template \`\{% endraw %\}\`" "Jinja: the second in the value listed"
case_ 1 '3:11: nodes\[0\]\.user: unrendered template `%ssh_user%`' "Heat parameter" <<YML
nodes:
  - address: 10.0.0.1
    user: "%ssh_user%"
    role: [etcd]
YML
case_ 1 '2:14: nodes\[0\]\.address: unrendered template `\{\{ ip \}\}`' "every template listed, secrets not shown" <<YML
nodes:
  - address: "{{ ip }}"
    user: "{{ user }}"
    role: [etcd]
    port: \${port}
private_registries:
  - url: r.example
    user: "{{ reg_user }}"
    password: "{{ Passw0rd }}"
# {{ commented }}
YML
expect_err "^$f:3:11: note: nodes\[0\]\.user: unrendered template \`\{\{ user \}\}\`" "templates: user listed"
expect_err "^$f:5:11: note: nodes\[0\]\.port: unrendered template \`\\\$\{port\}\`" "templates: an int field listed"
expect_err "^$f:9:15: note: private_registries\[0\]\.password: unrendered template in the value of \`password\`, which may be a secret \(not shown\)" "templates: the secret named"
if grep -q Passw0rd "$TMP/err"; then bad "templates: the password is printed"; else ok "templates: the password is not printed"; fi
if grep -q commented "$TMP/err"; then bad "templates: a comment is listed"; else ok "templates: comments are not listed"; fi
case_ 1 '7:15: unrendered template in the value of `password`, which may be a secret \(not shown\)' "unquoted secret template: YAML fails, nothing shown" <<YML
$H
private_registries:
  - url: r.example
    password: {{Passw0rd}}
YML
if grep -q Passw0rd "$TMP/err"; then bad "unquoted: the password is printed"; else ok "unquoted: the password is not printed"; fi

# --- documents, workers, other tools -------------------------------------------------
case_ 0 '5:1: warning: a second YAML document starts here: RKE reads only the first, so this one is ignored' "a second document" <<YML
$H
---
nodes:
  - {address: 10.10.0.12, user: u, role: [worker]}
YML
case_ 1 '1:1: the first YAML document is empty, and RKE reads only the first: the document at line 3 is ignored' "an empty first document" <<YML
---
# generated
---
$H
YML
case_ 0 '1:1: warning: nodes: no node has the worker role' "no worker node" <<YML
nodes:
  - {address: 10.10.0.11, user: u, role: [etcd, controlplane]}
YML
case_ 1 '4:9: nodes\[0\]\.role: expected a list' "kind's config" <<YML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
YML
expect_err "^$f: note: this looks like kind's cluster config \(apiVersion: kind\.x-k8s\.io/v1alpha4, kind: Cluster\), not an RKE cluster\.yml" "kind's config: a hint"
[ "$(tail -n 1 "$TMP/err" | grep -c 'note: this looks like')" -eq 1 ] && ok "the hint comes after the error" || bad "the hint is not last"
case_ 1 '1:1: nodes: no node has the etcd role' "a Kubernetes manifest" <<YML
apiVersion: v1
kind: ConfigMap
metadata:
  name: x
YML
expect_err "^$f: note: this looks like a Kubernetes manifest \(apiVersion: v1, kind: ConfigMap\)" "manifest: a hint"
finish
