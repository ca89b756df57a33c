#!/usr/bin/env bash
# paddock audit on real builds: both bundled examples pass every check that
# builds enforce (their builds ran the audit too); hand-broken copies of the
# HA output (a layer appended to node.img, as the kernel would unpack it, a
# node layer packed again without a file, or a file of OUT changed) fail,
# naming the item and the node; --json parses.
. builder/tests/testlib.bash
CACHE=${PADDOCK_CACHE:-$HOME/.cache/paddock}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

for ex in configs/*.yml; do
	name=$(basename "$ex" .yml)
	run build "$ex" -q --formats kernel,initrd --cache "$CACHE" -o "$TMP/$name"
	expect_rc 0 "build $name (the build audits its output)"
	# the files kube-apiserver's flags name, as another YAML reader (PyYAML,
	# YAML 1.1 like RKE's) reads them from the first node's layer
	k=$(mktemp -d "$TMP/k8s-XXXXXX")
	first=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["nodes"][0]["name"])' "$TMP/$name/manifest.json")
	zstd -dc "$TMP/$name/$first/node.img" | (cd "$k" && cpio -id --quiet etc/kubernetes/audit-policy.yaml etc/kubernetes/admission.yaml)
	if python3 - "$ex" "$k/etc/kubernetes" <<'EOF'; then ok "$name: audit policy and admission configuration in $first's layer"; else bad "$name: the Kubernetes files of $first"; fi
import os, stat, sys, yaml
api = yaml.safe_load(open(sys.argv[1]))["services"]["kube-api"]
rke_default = {"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [{"level": "Metadata"}]}
policy = ((api.get("audit_log") or {}).get("configuration") or {}).get("policy") or rke_default
d = sys.argv[2]
for f in ["audit-policy.yaml", "admission.yaml"]:
    st = os.stat(os.path.join(d, f))
    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0, f
assert yaml.safe_load(open(os.path.join(d, "audit-policy.yaml"))) == policy
adm = yaml.safe_load(open(os.path.join(d, "admission.yaml")))
assert adm["kind"] == "AdmissionConfiguration", adm
psa = [p["configuration"] for p in adm["plugins"] if p["name"] == "PodSecurity"]
level = api.get("pod_security_configuration") or "privileged"
assert len(psa) == 1 and psa[0]["defaults"]["enforce"] == level, psa
assert psa[0]["apiVersion"] == "pod-security.admission.config.k8s.io/v1", psa
EOF
	run audit "$TMP/$name" --json
	if python3 -m json.tool "$TMP/out" >/dev/null; then ok "$name: --json parses"; else bad "$name: --json does not parse"; fi
	summary=$(python3 - "$TMP/out" "$TMP/$name/manifest.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
nodes = [n["name"] for n in json.load(open(sys.argv[2]))["nodes"]]
seen = {(x["item"], x["node"]) for x in r["results"]}
items = {x["item"] for x in r["results"]}
missing = [(i, n) for i in items for n in nodes if (i, n) not in seen]
bad = [x for x in r["results"] if x["result"] == "fail" and x["enforced_in_build"]]
print(f"{r['failed_enforced']} {len(bad)} {len(missing)} {len(items)}")
EOF
)
	read -r failed_enforced bad_rows missing_rows nitems <<<"$summary"
	if [ "$failed_enforced" = 0 ] && [ "$bad_rows" = 0 ]; then
		ok "$name: every check builds enforce passes"
	else
		bad "$name: $failed_enforced enforced failures: $(grep -o '"item": "[^"]*", "node": "[^"]*", "result": "fail"[^}]*"enforced_in_build": true' "$TMP/out" | head -3)"
	fi
	if [ "$missing_rows" = 0 ] && [ "$nitems" -ge 15 ]; then ok "$name: $nitems checks on every node"; else bad "$name: $missing_rows results missing ($nitems checks)"; fi
	run audit "$TMP/$name"
	if [ "$rc" -le 1 ] && grep -q '^keys-confined  *base  *pass' "$TMP/out"; then ok "$name: table"; else bad "$name: table: $(head -3 "$TMP/out")"; fi
done

HA=$TMP/ha-3node
# broken NAME: a copy of the HA output sharing its big files, with node
# layers of its own to append to
broken() {
	local d=$TMP/broken-$1 n
	cp -al "$HA" "$d"
	for n in node1 node2 node3; do
		cp --remove-destination -p "$HA/$n/node.img" "$d/$n/node.img"
	done
	echo "$d"
}

# append LAYER-FILE DIR: DIR's tree, owned by root, as one more zstd newc
# archive at the end of LAYER-FILE
append() {
	(cd "$2" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | zstd -q -c >>"$1"
}

# stage NAME: an empty tree to put files in
stage() {
	rm -rf "$TMP/stage-$1"
	mkdir -p "$TMP/stage-$1"
	chmod 0755 "$TMP/stage-$1"
	echo "$TMP/stage-$1"
}

# finding OUT ITEM NODE REGEX [enforced]: audit exits 1 with ITEM failing on NODE, why matching REGEX
finding() {
	local out=$1 item=$2 node=$3 pat=$4 mark='FAIL\*?'
	[ "${5:-}" = enforced ] && mark='FAIL'
	run audit "$out"
	expect_rc 1 "$item fails on $node"
	if grep -Eq "^$item +$node +$mark +.*$pat" "$TMP/out"; then
		ok "$item on $node: $pat"
	else
		bad "$item on $node: no /$pat/ in: $(grep -E "^$item " "$TMP/out")"
	fi
}

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/key.pem" 2>/dev/null

# a password hash in /etc/shadow
out=$(broken shadow)
s=$(stage shadow)
mkdir -m 0755 "$s/etc"
printf 'root:$6$rounds=5000$salt$0123456789abcdef:19000:0:99999:7:::\n' >"$s/etc/shadow"
chmod 0600 "$s/etc/shadow"
append "$out/node1/node.img" "$s"
finding "$out" accounts node1 "/etc/shadow: root has a password hash" enforced
if grep -Eq '^accounts +node2 +pass' "$TMP/out"; then ok "accounts: node2 untouched passes"; else bad "accounts on node2"; fi

# a world-writable file
out=$(broken ww)
s=$(stage ww)
mkdir -p -m 0755 "$s/etc/paddock"
echo drop >"$s/etc/paddock/drop"
chmod 0666 "$s/etc/paddock/drop"
append "$out/node2/node.img" "$s"
finding "$out" world-writable node2 "/etc/paddock/drop is 0666" enforced

# one node's private key copied into another node's layer
out=$(broken copied)
s=$(stage own)
mkdir -p -m 0755 "$s/etc/kubernetes/ssl"
install -m 0600 "$TMP/key.pem" "$s/etc/kubernetes/ssl/kube-node-key.pem"
append "$out/node1/node.img" "$s"
s=$(stage thief)
mkdir -m 0700 "$s/root"
install -m 0600 "$TMP/key.pem" "$s/root/stolen.pem"
append "$out/node3/node.img" "$s"
finding "$out" keys-confined node1 "kube-node-key.pem is also in node node3's layer \(/root/stolen.pem\)" enforced
finding "$out" keys-confined node3 "/root/stolen.pem is also in node node1's layer" enforced
run audit "$out" --json
if python3 -m json.tool "$TMP/out" >/dev/null; then ok "broken output: --json parses"; else bad "broken output: --json"; fi

# a private key in the layer every node boots, and one in OUT's own files
out=$(broken base)
cp --remove-destination "$HA/base.img" "$out/base.img"
s=$(stage base)
mkdir -m 0755 "$s/etc"
install -m 0600 "$TMP/key.pem" "$s/etc/cluster-ca-key.pem"
append "$out/base.img" "$s"
cp "$TMP/key.pem" "$out/notes.txt"
finding "$out" keys-confined base "/etc/cluster-ca-key.pem .* every node boots" enforced
finding "$out" keys-confined OUT "OUT/notes.txt holds a private key" enforced

# sshd_config allowing passwords, root and agent forwarding on node3 (a
# later layer's file replaces the node's own)
out=$(broken sshd)
s=$(stage sshd)
mkdir -p -m 0755 "$s/etc/ssh"
zstd -dc "$HA/node3/node.img" | (cd "$s" && cpio -i --quiet etc/ssh/sshd_config)
sed -i -e 's/^PasswordAuthentication no$/PasswordAuthentication yes/' -e 's/^PermitRootLogin no$/PermitRootLogin yes/' \
	-e 's/^AllowAgentForwarding no$/AllowAgentForwarding yes/' "$s/etc/ssh/sshd_config"
grep -qx 'PasswordAuthentication yes' "$s/etc/ssh/sshd_config" || bad "node3's sshd_config: no PasswordAuthentication no to break"
append "$out/node3/node.img" "$s"
finding "$out" ssh-config node3 "PasswordAuthentication yes; PermitRootLogin yes; AllowAgentForwarding yes" enforced
if grep -Eq '^ssh-config +node1 +pass ' "$TMP/out"; then ok "ssh-config: node1 untouched passes"; else bad "ssh-config node1"; fi

# an AllowUsers user without an account, and one whose keys others may write
out=$(broken allowusers)
s=$(stage allowusers)
mkdir -p -m 0755 "$s/etc/ssh/authorized_keys"
zstd -dc "$HA/node2/node.img" | (cd "$s" && cpio -i --quiet etc/ssh/sshd_config)
sed -i 's/^AllowUsers .*/& ghost/' "$s/etc/ssh/sshd_config"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/op" && cp "$TMP/op.pub" "$s/etc/ssh/authorized_keys/rancher"
chmod 0666 "$s/etc/ssh/authorized_keys/rancher"
append "$out/node2/node.img" "$s"
finding "$out" ssh-authorized-keys node2 "AllowUsers ghost has no account in /etc/passwd" enforced
finding "$out" ssh-authorized-keys node2 "others may write it" enforced

# a host key others can read
out=$(broken mode)
s=$(stage mode)
mkdir -p -m 0755 "$s/etc/ssh"
install -m 0644 "$TMP/key.pem" "$s/etc/ssh/ssh_host_ecdsa_key"
append "$out/node2/node.img" "$s"
finding "$out" secret-modes node2 "/etc/ssh/ssh_host_ecdsa_key is 0644, not 0600" enforced

# the node's own host key made readable by others, its certificate gone
out=$(broken hostkey)
s=$(stage hostkey)
mkdir -p -m 0755 "$s/etc/ssh"
zstd -dc "$HA/node1/node.img" | (cd "$s" && cpio -i --quiet etc/ssh/ssh_host_ed25519_key etc/ssh/sshd_config)
chmod 0644 "$s/etc/ssh/ssh_host_ed25519_key"
sed -i 's|^HostCertificate .*|HostCertificate /etc/ssh/none-cert.pub|' "$s/etc/ssh/sshd_config"
append "$out/node1/node.img" "$s"
finding "$out" ssh-host-keys node1 "/etc/ssh/ssh_host_ed25519_key is 0644, not 0600" enforced
finding "$out" ssh-host-keys node1 "missing: host certificate /etc/ssh/none-cert.pub" enforced

# a weakened sysctl
out=$(broken sysctl)
s=$(stage sysctl)
mkdir -p -m 0755 "$s/etc/sysctl.d"
echo "kernel.kptr_restrict = 0" >"$s/etc/sysctl.d/99-debug.conf"
append "$out/node1/node.img" "$s"
finding "$out" sysctl node1 "sets kernel.kptr_restrict=0, hardening wants kernel.kptr_restrict=2" enforced

# a node directory others can enter
out=$(broken dirmode)
chmod 0755 "$out/node2"
finding "$out" out-modes node2 "OUT/node2/ is 0755, not 0700" enforced

# a node's report key others can read
out=$(broken report-key)
cp --remove-destination -p "$HA/node2/report.key" "$out/node2/report.key"
chmod 0644 "$out/node2/report.key"
finding "$out" out-modes OUT "OUT/node2/report.key is 0644, not 0600" enforced

# extract NODE DIR PATTERN...: files of NODE's layer into DIR, as they are (owners, modes)
extract() {
	local node=$1 d=$2
	shift 2
	zstd -dc "$HA/$node/node.img" | (cd "$d" && cpio -id --quiet "$@")
}

# the audit policy others can read
out=$(broken policy-mode)
s=$(stage policy-mode)
extract node1 "$s" etc/kubernetes/audit-policy.yaml
chmod 0644 "$s/etc/kubernetes/audit-policy.yaml"
append "$out/node1/node.img" "$s"
finding "$out" audit-log node1 "/etc/kubernetes/audit-policy.yaml is 0644, not 0600" enforced

# no audit policy at all: node2's layer packed again without it
out=$(broken policy-gone)
s=$(stage policy-gone)
extract node2 "$s"
rm "$s/etc/kubernetes/audit-policy.yaml"
(cd "$s" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) | zstd -q -c >"$out/node2/node.img"
finding "$out" audit-log node2 "missing: audit policy /etc/kubernetes/audit-policy.yaml" enforced

# kube-apiserver without --audit-log-maxage
out=$(broken audit-flag)
s=$(stage audit-flag)
extract node3 "$s" 'etc/paddock/containers/*-kube-apiserver.conf'
conf=$(echo "$s"/etc/paddock/containers/*-kube-apiserver.conf)
grep -q -- '--audit-log-maxage' "$conf" && ok "kube-apiserver's spec has --audit-log-maxage" || bad "no --audit-log-maxage in $conf"
sed -i '/--audit-log-maxage/d' "$conf"
append "$out/node3/node.img" "$s"
finding "$out" audit-log node3 "kube-apiserver has no --audit-log-maxage" enforced

# the audit log's directory no longer bound from the host
out=$(broken audit-bind)
s=$(stage audit-bind)
extract node2 "$s" 'etc/paddock/containers/*-kube-apiserver.conf'
conf=$(echo "$s"/etc/paddock/containers/*-kube-apiserver.conf)
sed -i '\|:/var/log/kube-audit|d' "$conf"
append "$out/node2/node.img" "$s"
finding "$out" audit-log node2 "the audit log /var/log/kube-audit/audit-log.json is on no volume from the host" enforced

# RBAC off
out=$(broken rbac)
s=$(stage rbac)
extract node1 "$s" 'etc/paddock/containers/*-kube-apiserver.conf'
conf=$(echo "$s"/etc/paddock/containers/*-kube-apiserver.conf)
sed -i 's/--authorization-mode=Node,RBAC/--authorization-mode=Node/' "$conf"
append "$out/node1/node.img" "$s"
finding "$out" rbac node1 "--authorization-mode=Node has no RBAC" enforced

# etcd's key owned by root (append packs as 0:0)
out=$(broken etcd-owner)
s=$(stage etcd-owner)
extract node2 "$s" 'etc/kubernetes/ssl/kube-etcd-*-key.pem'
append "$out/node2/node.img" "$s"
finding "$out" etcd-files node2 "kube-etcd-10-10-0-12-key.pem is owned by 0:0, not etcd's 52034:52035" enforced

# a layer that cannot be read (gzip appended to zstd: the audit refuses to guess)
out=$(broken garbage)
s=$(stage garbage)
mkdir -m 0755 "$s/etc"
(cd "$s" && find . -mindepth 1 | cpio -o -H newc -R 0:0 --quiet) | gzip -c >>"$out/node2/node.img"
finding "$out" layers node2 "node2/node.img" enforced

run audit "$TMP/nonexistent"
expect_rc 1 "an OUT without manifest.json"
run audit
expect_rc 2 "no OUT"
run audit "$HA" --bogus
expect_rc 2 "unknown option"
finish
