#!/usr/bin/env bash
# The paddock command line: verbs, --help, --version, exit statuses, and the
# bundled examples.
. "$(dirname "$0")/testlib.bash"

run; expect_rc 2 "no verb"
run --help; expect_rc 0 "--help"
printf '%s' "$out" | grep -q '^  validate ' && ok "--help lists validate" || bad "--help lacks validate"
printf '%s' "$out" | grep -q '^  plan ' && ok "--help lists plan" || bad "--help lacks plan"
run --version; expect_rc 0 "--version"
printf '%s' "$out" | grep -Eq '^paddock [0-9]+\.[0-9]+\.[0-9]+$' && ok "--version prints a version" || bad "--version: $out"
run frobnicate; expect_rc 2 "unknown verb"
for verb in validate plan; do
	run $verb --help; expect_rc 0 "$verb --help"
	printf '%s' "$out" | grep -q "^usage: paddock $verb FILE" && ok "$verb --help: usage line" || bad "$verb --help: $out"
	run $verb; expect_rc 2 "$verb without FILE"
	run $verb --bogus configs/ha-3node.yml; expect_rc 2 "$verb with an unknown option"
	run $verb configs/ha-3node.yml configs/single-node.yml; expect_rc 2 "$verb with two files"
done

for f in configs/*.yml; do
	run validate "$f"; expect_rc 0 "validate $f"
	[ -z "$err" ] && ok "$f: no warnings" || bad "$f: warnings: $err"
	run plan "$f"; expect_rc 0 "plan $f"
	run plan --json "$f"; expect_rc 0 "plan --json $f"
	printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)' && ok "$f: JSON parses" || bad "$f: JSON does not parse"
done

# the HA example: three etcd members, the initial cluster, etcd as uid:gid
run plan --json configs/ha-3node.yml
printf '%s' "$out" >"$TMP/ha.json"
python3 - "$TMP/ha.json" <<'PY' && ok "ha-3node plan: etcd members, initial cluster, uid:gid, images, SANs" || bad "ha-3node plan content"
import json, sys
p = json.load(open(sys.argv[1]))
e = p["etcd"]
assert [m["name"] for m in e["members"]] == ["etcd-node1", "etcd-node2", "etcd-node3"], e
ic = "etcd-node1=https://10.10.0.11:2380,etcd-node2=https://10.10.0.12:2380,etcd-node3=https://10.10.0.13:2380"
assert e["initial_cluster"] == ic, e["initial_cluster"]
assert e["user"] == "52034:52035", e["user"]
assert len(p["nodes"]) == 3
for i, n in enumerate(p["nodes"], 1):
    assert n["name"] == "node%d" % i
    assert n["roles"] == ["etcd", "controlplane", "worker"]
    assert n["boot"]["mac"] == "52:54:00:00:02:0%d" % i
    assert n["boot"]["network"] == {"mode": "static", "address": "10.10.0.1%d/24" % i,
                                   "gateway": "10.10.0.1", "dns": ["10.10.0.1"]}, n["boot"]
    ct = {c["name"]: c for c in n["containers"]}
    etcd = ct["etcd"]
    assert etcd["user"] == "52034:52035"
    assert "--initial-cluster=" + ic in etcd["args"]
    assert "--name=etcd-node%d" % i in etcd["args"]
    # etcd is paddock's bundled image: the HA example forms etcd with no registry
    assert etcd["image"] == "paddock/etcd:3.4.23-debian" and etcd["source"] == "bundled", etcd
    assert ct["kube-apiserver"]["image"].startswith("registry.example.internal:5000/"), ct["kube-apiserver"]
    assert ct["kube-apiserver"]["source"] == "registry"
    api = ct["kube-apiserver"]["args"]
    for flag in ["--audit-log-path=/var/log/kube-audit/audit-log.json", "--audit-log-maxage=30",
                 "--audit-log-maxbackup=10", "--audit-log-maxsize=100", "--audit-log-format=json",
                 "--audit-policy-file=/etc/kubernetes/audit-policy.yaml", "--authorization-mode=Node,RBAC"]:
        assert flag in api, flag
    sans = {c["name"]: c["sans"] for c in n["certificates"]}["kube-apiserver"]
    for s in ["10.43.0.1", "node1", "10.10.0.13", "k8s.example.internal", "kubernetes.default.svc.cluster.local"]:
        assert s in sans, s
    files = {f["path"]: f["mode"] for f in n["files"]}
    assert files["/etc/kubernetes/audit-policy.yaml"] == "0600"
    assert files["/etc/kubernetes/admission.yaml"] == "0600"
    src = {f["path"]: f["source"] for f in n["files"]}
    assert src["/etc/kubernetes/audit-policy.yaml"] == "cluster.yml", src
    assert files["/etc/paddock/registry-auth.json"] == "0600"
assert "change-me" not in open(sys.argv[1]).read(), "registry password leaked"
# the files' contents are the build's: the plan names them only
for s in ["audit.k8s.io", "PodSecurityConfiguration", "ingress-nginx\"", "Metadata"]:
    assert s not in open(sys.argv[1]).read(), s
PY
# the single-node example: images and default flags from RKE's table for v1.30.5-rancher1-1
run plan --json configs/single-node.yml
printf '%s' "$out" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["kubernetes_version"] == "v1.30.5-rancher1-1" and p["default_flags"] == "v1.30", p
ct = {c["name"]: c for c in p["nodes"][0]["containers"]}
assert ct["etcd"]["image"] == "paddock/etcd:3.4.23-debian", ct["etcd"]["image"]
for name in ["etcd-rolling-snapshots", "service-sidekick"]:
    assert ct[name]["image"] == "rancher/rke-tools:v0.1.103", ct[name]["image"]
assert ct["kube-apiserver"]["image"] == "rancher/hyperkube:v1.30.5-rancher1"
for flag in ["--anonymous-auth=false", "--profiling=false", "--service-account-issuer=rke"]:
    assert flag in ct["kube-apiserver"]["args"], flag
assert p["system_images"]["pod_infra_container"] == "rancher/mirrored-pause:3.7"
# how each runs: the binary before the flags, the namespaces and privileges of RKE
for name, c in ct.items():
    assert c["network_mode"] == "host" and c["restart"] == "always", c
    assert c["privileged"] == (name in ("kubelet", "kube-proxy")), name
    assert c["pid_mode"] == ("host" if name in ("kubelet", "kube-proxy") else "private"), name
    assert c["binary"] == (None if name in ("etcd-rolling-snapshots", "service-sidekick") else name), name
assert p["system_images"]["canal_node"] == "rancher/mirrored-calico-node:v3.28.1"
' && ok "single-node plan: RKE's images, default flags and runtime for v1.30.5" || bad "single-node plan: images/flags/runtime"
run plan configs/ha-3node.yml
printf '%s' "$out" | grep -q -- '--user 52034:52035' && ok "text plan shows --user uid:gid" || bad "text plan lacks --user"
printf '%s' "$out" | grep -q -- '--audit-policy-file=' && ok "text plan shows audit flags" || bad "text plan lacks audit flags"
printf '%s' "$out" | grep -q 'change-me' && bad "text plan shows the registry password" || ok "no secrets in the text plan"
printf '%s' "$out" | grep -Eq 'audit\.k8s\.io|PodSecurityConfiguration|level: Metadata' && bad "text plan shows the audit policy or admission configuration" || ok "text plan names the Kubernetes files only"
finish
