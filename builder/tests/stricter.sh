#!/usr/bin/env bash
# RKE's own refusals, the places where paddock is stricter than RKE, and
# paddock's boot keys.  Each case: the exit status and the message with its
# FILE:LINE:COL.
. "$(dirname "$0")/testlib.bash"

n=0
STATIC='nodes:
  - address: 10.10.0.11
    user: u
    role: [etcd, controlplane, worker]
    paddock:
      mac: "52:54:00:00:02:01"
      network:
        mode: static'

# --- warnings where RKE is silent ---------------------------------------------
case_ 0 '3:5: warning: nodes\[0\]\.hostname_overide: unknown key, ignored by RKE; did you mean `hostname_override`\?' "misspelt node key" <<YML
nodes:
  - address: 10.10.0.11
    hostname_overide: n1
    user: u
    role: [etcd]
YML
case_ 0 '6:7: warning: nodes\[0\]\.paddock\.macc: unknown key.*did you mean `mac`' "misspelt paddock key" <<YML
$H
    paddock:
      macc: "52:54:00:00:02:01"
YML
case_ 0 '6:1: warning: cluster_name: duplicate key \(first at line 1\)' "duplicate key" <<YML
cluster_name: a
$H
cluster_name: b
YML
case_ 0 '5:1: warning: kube-api: not a key at this level.*did you mean `services.kube-api`' "section at the wrong level" <<YML
$H
kube-api:
  audit_log: {enabled: true}
YML
case_ 0 '8:5: warning: services.kube-api.pod_security_policy: removed in RKE v1.6' "removed key" <<YML
$H
kubernetes_version: v1.30.5-rancher1-1
services:
  kube-api:
    pod_security_policy: true
YML
case_ 0 '1:1: warning: nodes: 4 etcd nodes: an even count adds no fault tolerance' "even etcd count" <<YML
nodes:
  - {address: a1, user: u, role: [etcd]}
  - {address: a2, user: u, role: [etcd]}
  - {address: a3, user: u, role: [etcd]}
  - {address: a4, user: u, role: [etcd]}
YML
case_ 0 '8:10: warning: services.etcd.uid: RKE only runs etcd as a dedicated user when both' "uid without gid" <<YML
$H
kubernetes_version: v1.30.5-rancher1-1
services:
  etcd:
    uid: 52034
YML
case_ 0 '7:9: warning: authorization.mode: `none`: RBAC is off' "rbac off" <<YML
$H
kubernetes_version: v1.22.5-rancher1-1
authorization:
  mode: none
YML
case_ 0 '7:18: warning: nodes\[0\]\.paddock\.network\.address: 10.10.0.99 is neither' "static address unlike the node's" <<YML
$H
    paddock:
      network:
        address: 10.10.0.99/24
YML
case_ 0 '6:21: warning: nodes\[0\]\.ssh_agent_auth: RKE replaces it with the cluster-level' "per-node ssh_agent_auth" <<YML
ssh_agent_auth: false
nodes:
  - address: 10.10.0.11
    user: u
    role: [etcd]
    ssh_agent_auth: true
YML
case_ 0 '6:10: warning: private_registries\[0\]\.url: `https://r.example` has a scheme' "registry URL with a scheme" <<YML
$H
private_registries:
  - url: https://r.example
    is_default: true
YML

# --- RKE's refusals ------------------------------------------------------------
case_ 1 '1:1: nodes: no node has the etcd role' "no etcd node" <<YML
nodes:
  - {address: a1, user: u, role: [worker]}
YML
case_ 1 '3:15: nodes\[1\]\.address: same node as nodes\[0\].*duplicate node: a1' "duplicate address" <<YML
nodes:
  - {address: a1, user: u, role: [etcd]}
  - {address: a1, user: u, role: [worker]}
YML
case_ 1 '3:5: nodes\[1\]\.address: is required \(RKE: Address for host \(2\) is not provided\)' "missing address" <<YML
nodes:
  - {address: a1, user: u, role: [etcd]}
  - {user: u, role: [worker]}
YML
case_ 1 '2:5: nodes\[0\]\.role: is required \(RKE: Role for host \(1\) is not provided\)' "empty role list" <<YML
nodes:
  - {address: a1, user: u, role: []}
YML
case_ 1 '5:21: kubernetes_version: 1.27.1 is not valid version' "version without v" <<YML
$H
kubernetes_version: 1.27.1
YML
case_ 1 '5:21: kubernetes_version: v1.27 is not valid semver' "version not semver" <<YML
$H
kubernetes_version: v1.27
YML
case_ 1 '7:31: services.kube-api.service_cluster_ip_range: invalid CIDR address: 10.43.0.0' "bad service range" <<YML
$H
services:
  kube-api:
    service_cluster_ip_range: 10.43.0.0
YML
case_ 1 '6:11: network.plugin: Network plugin \[cilium\] is not supported' "network plugin" <<YML
$H
network:
  plugin: cilium
YML
case_ 1 '6:13: authentication.strategy: Authentication strategy \[ldap\] is not supported' "authn strategy" <<YML
$H
authentication:
  strategy: x509|ldap
YML
case_ 1 '6:13: ingress.provider: Ingress controller traefik is incorrect' "ingress provider" <<YML
$H
ingress:
  provider: traefik
YML
case_ 1 '11:11: services.kube-api.audit_log.configuration.policy: needs `kind: Policy`' "audit policy without kind" <<YML
$H
services:
  kube-api:
    audit_log:
      enabled: true
      configuration:
        policy:
          rules: [{level: Metadata}]
YML
case_ 1 '9:9: services.etcd.backup_config.s3backupconfig.bucket_name: etcd s3 backup backend bucketName' "s3 without bucket" <<YML
$H
services:
  etcd:
    backup_config:
      s3backupconfig:
        endpoint: s3.example.com
YML
case_ 1 '7:20: services.etcd.external_urls: Cluster can.t have both internal and external etcd' "internal and external etcd" <<YML
$H
services:
  etcd:
    external_urls: [https://e:2379]
    ca_cert: x
    cert: x
    key: x
    path: /p
YML
case_ 1 '5:5: services.etcd.cert: External Client Certificate for etcd can.t be empty' "external etcd without cert" <<YML
nodes:
  - {address: a1, user: u, role: [controlplane]}
services:
  etcd:
    external_urls: [https://e:2379]
    ca_cert: x
    key: x
    path: /p
YML

# --- paddock's boot keys -------------------------------------------------------
case_ 1 '6:12: nodes\[0\]\.paddock\.mac: `52:54:00:00:02` is not a MAC address' "malformed MAC" <<YML
$H
    paddock:
      mac: "52:54:00:00:02"
YML
case_ 1 '6:12: nodes\[0\]\.paddock\.mac: `01:00:5e:00:00:01` is a multicast address' "multicast MAC" <<YML
$H
    paddock:
      mac: "01:00:5e:00:00:01"
YML
case_ 1 '10:12: nodes\[1\]\.paddock\.mac: 52:54:00:00:02:01 is also the MAC of nodes\[0\]' "duplicate MAC (case differs)" <<YML
nodes:
  - address: a1
    user: u
    role: [etcd]
    paddock: {mac: "52:54:00:00:02:01"}
  - address: a2
    user: u
    role: [worker]
    paddock:
      mac: "52:54:00:00:02:01"
YML
case_ 1 '8:9: nodes\[0\]\.paddock\.network\.address: mode static needs an address' "static without address" <<YML
$STATIC
YML
case_ 1 '9:18: nodes\[0\]\.paddock\.network\.address: `10.10.0.0/24` is the network or broadcast address' "address outside its prefix (network address)" <<YML
$STATIC
        address: 10.10.0.0/24
YML
case_ 1 '9:18: nodes\[0\]\.paddock\.network\.address: `10.10.0.11` is not an address with a prefix' "address without prefix" <<YML
$STATIC
        address: 10.10.0.11
YML
case_ 1 '10:18: nodes\[0\]\.paddock\.network\.gateway: `10.10.1.1` is outside the node.s prefix' "gateway outside the prefix" <<YML
$STATIC
        address: 10.10.0.11/24
        gateway: 10.10.1.1
YML
case_ 1 '10:14: nodes\[0\]\.paddock\.network\.dns: `dns.example` is not an IP address' "DNS not an IP" <<YML
$STATIC
        address: 10.10.0.11/24
        dns: [1.1.1.1, dns.example]
YML
case_ 1 '7:15: nodes\[0\]\.paddock\.network\.mode: `manual`: use dhcp or static' "unknown network mode" <<YML
$H
    paddock:
      network:
        mode: manual
YML
case_ 1 '8:18: nodes\[0\]\.paddock\.network\.address: an address is given but mode is dhcp' "address with dhcp" <<YML
$H
    paddock:
      network:
        mode: dhcp
        address: 10.10.0.11/24
YML
case_ 1 '6:19: nodes\[0\]\.paddock\.state_disk: `sda` is not a block device path' "state disk not a device" <<YML
$H
    paddock:
      state_disk: sda
YML
case_ 1 '6:19: nodes\[0\]\.paddock\.state_disk: `/dev/disk/by-id/ata-X` is a udev link, and paddock.s image has no udev' "state disk a udev link" <<YML
$H
    paddock:
      state_disk: /dev/disk/by-id/ata-X
YML
case_ 1 '6:19: nodes\[0\]\.paddock\.state_disk: `/dev/sda1` is a partition: paddock partitions a whole disk itself' "state disk a partition" <<YML
$H
    paddock:
      state_disk: /dev/sda1
YML
case_ 1 '6:19: nodes\[0\]\.paddock\.state_disk: `/dev/nvme0n1p2` is a partition' "state disk an NVMe partition" <<YML
$H
    paddock:
      state_disk: /dev/nvme0n1p2
YML
case_ 1 '6:19: nodes\[0\]\.paddock\.state_disk: `UUID=1234` is not a block device path \(/dev/NAME\) nor LABEL=NAME' "state disk by UUID" <<YML
$H
    paddock:
      state_disk: UUID=1234
YML
# taken: whole disks by their kernel names, a file system by its label
for sd in /dev/nvme0n1 /dev/sdb LABEL=RANCHER_STATE; do
	n=$((n + 1))
	printf '%s\n    paddock:\n      state_disk: %s\n' "$H" "$sd" >"$TMP/c$n.yml"
	run validate "$TMP/c$n.yml"
	expect_rc 0 "state disk $sd taken"
done
case_ 1 '14:18: nodes\[1\]\.paddock\.network\.address: 10.10.0.11/24 is also the address of nodes\[0\]' "duplicate static address" <<YML
nodes:
  - address: 10.10.0.11
    user: u
    role: [etcd]
    paddock:
      network:
        address: 10.10.0.11/24
  - address: 10.10.0.12
    user: u
    role: [worker]
    internal_address: 10.10.0.11
    paddock:
      network:
        address: 10.10.0.11/24
YML
case_ 1 '6:11: paddock.kernel: `tiny`: use generic \(hardware\) or cloud \(VMs\)' "unknown kernel" <<YML
$H
paddock:
  kernel: tiny
YML
case_ 1 '6:16: paddock.compression: `lz4`: use zstd, gzip, xz or none' "unknown compression" <<YML
$H
paddock:
  compression: lz4
YML
case_ 1 '6:12: paddock.formats: `usb`: formats are kernel, iso, pxe and ipxe' "unknown format" <<YML
$H
paddock:
  formats: [iso, usb]
YML
case_ 1 '6:12: paddock.formats: is empty: nothing would be built' "no format" <<YML
$H
paddock:
  formats: []
YML
case_ 1 '6:12: paddock.formats: `iso` is listed twice' "format twice" <<YML
$H
paddock:
  formats: [iso, iso]
YML
case_ 1 '6:14: paddock.http_base: `ftp://x` is not an http:// or https:// URL' "bad http_base" <<YML
$H
paddock:
  http_base: ftp://x
YML
# everything a build would reject from the file is rejected here, at its line
case_ 1 '6:14: paddock.http_base: `http://10.0.0.1/pad dock` has a space' "http_base with a space" <<YML
$H
paddock:
  http_base: http://10.0.0.1/pad dock
YML
case_ 1 '6:14: paddock.http_base: holds credentials' "http_base with credentials" <<YML
$H
paddock:
  http_base: http://paddock:s3cret@10.0.0.1/p
YML
if grep -q s3cret "$TMP/err"; then bad "http_base credentials repeated"; else ok "http_base credentials not repeated"; fi
for u in 'http://:80/p' 'http://h:0/p' 'http://h:x/' 'http://h/a?b' 'http://h/%zz' 'http://h/${x' 'http://[::1/' 'http://h/a"b'; do
case_ 1 "6:14: paddock.http_base: .* (has|holds) " "http_base $u" <<YML
$H
paddock:
  http_base: '$u'
YML
done
case_ 0 '' "http_base with port, IPv6 and escapes" <<YML
$H
paddock:
  http_base: http://[fd00::1]:8080/a%20b/~x
YML
for name in tftp ipxe base.img vmlinuz manifest.json tftp.tmp; do
case_ 1 "4:24: nodes\\[0\\]\\.hostname_override: \`$name\` is taken by paddock's output" "node named $name" <<YML
nodes:
  - address: 10.10.0.11
    user: u
    hostname_override: $name
    role: [etcd, controlplane, worker]
YML
done
long=$(printf 'a%.0s' {1..60}).$(printf 'b%.0s' {1..60}).$(printf 'c%.0s' {1..60}).$(printf 'd%.0s' {1..60}).abcdefg
case_ 1 "4:24: nodes\\[0\\]\\.hostname_override: is 251 characters long; .* at most 247" "node name too long for OUT" <<YML
nodes:
  - address: 10.10.0.11
    user: u
    hostname_override: $long
    role: [etcd, controlplane, worker]
YML
case_ 1 '6:20: nodes\[0\].paddock\.kernel_args: `\$\{` would be expanded by the iPXE scripts' "kernel_args with \${" <<YML
$H
    paddock:
      kernel_args: 'x=\${net0'
YML
case_ 1 '6:15: paddock.etcd_image: `quay.io/coreos/etcd`: use bundled' "etcd image neither bundled nor registry" <<YML
$H
paddock:
  etcd_image: quay.io/coreos/etcd
YML
case_ 1 '6:17: paddock.menu_timeout: must be 0-3600 seconds' "menu timeout out of range" <<YML
$H
paddock:
  menu_timeout: 100000
YML
case_ 1 '6:17: paddock.menu_timeout: expected an integer \(no quotes\)' "quoted menu timeout" <<YML
$H
paddock:
  menu_timeout: "5"
YML
case_ 1 '8:16: paddock.defaults.network.gateway: `gw` is not an IP address' "bad default gateway" <<YML
$H
paddock:
  defaults:
    network:
      gateway: gw
YML
case_ 1 '6:20: nodes\[0\]\.paddock\.debug_shell: expected a boolean, got a scalar `maybe`' "debug_shell not a bool" <<YML
$H
    paddock:
      debug_shell: maybe
YML
finish
