#!/usr/bin/env bash
# Real-world cluster.yml files (../shared/corpus/rke/, read in place): each
# verdict must match what `rke up` does (see that directory's INDEX.md).
# accepted: exit 0, warnings allowed.  rejected: exit 1, the first error has
# FILE:LINE:COL and is of the same kind as RKE's first error.
#
# RKE's verdict on kubernetes_version depends on the version data it carries:
# paddock follows ../shared/reference/kdm/rke-kdm.json (builder/config/
# k8s_table.c), whose newest version is v1.30.5-rancher1-1.  With it RKE's
# validateVersion refuses 25 (v1.32.13) and 28 (v1.32.6) before anything
# else ("unsupported Kubernetes version", INDEX.md's header), and 20
# (v1.10.1-rancher2, INDEX.md's "current rke" line).  An RKE whose data
# carries v1.32 accepts 25 and fails 28 only at SSH: regenerating the table
# from such a KDM moves those two back.
. "$(dirname "$0")/testlib.bash"
CORPUS=$(shared_dir)/corpus/rke || { echo "FAIL: no ../shared beside the repository: the corpus is not there"; exit 1; }
[ -d "$CORPUS" ] || { echo "FAIL: no corpus at $CORPUS"; exit 1; }

# file | verdict | regex for the first error (rejected files)
table='
01_danbooru_danbooru-infrastructure.yml|ok|
01b_danbooru_danbooru-infrastructure.yml|ok|
02_yuha0_home-infra.yml|ok|
03_efcunha_Rancher-v2.6-HA.yml|ok|
04_InformaticsMatters_dls-fragalysis-stack-kubernetes.yml|ok|
05_renve_rke.yml|ok|
06_armanbasirat_rke.yml|ok|
07_ColeGreenlee_GreenleeNet.yml|reject|nodes\[0\]\.role\[0\]: unknown role `gateway`.*Failed to recognize host \[gateway\.greenlee\.lan\] role gateway
08_openspaceaarhus_infrastructure.yml|reject|nodes\[0\]\.user: .*User for host \(1\) is not provided
08b_openspaceaarhus_infrastructure.yml|ok|
09_Jason-ZW_kubernetes-dual-stack-poc.yml|ok|
10_ams0_rancher-home.yml|ok|
11_MayankTahil_kubernetes-baremetal.yml|ok|
12_jhillyerd_homelab.yml|ok|
13_Adam-Klein_rke-k8s.yml|ok|
14_EOEPCA_eoepca.yml|ok|
15_GroupOneIncorporated_acme-infrastructure.yml|ok|
16_ueisele_iac-platform-rancher2.yml|ok|
17_bensallen_rancheros-vagrant-cluster.yml|ok|
18_ballerabdude_rancher-2-setup.yml|reject|Hostname_override \[<ip>\] for host \(1\) is not valid
19_dmpe_fedora-coreos-example.yml|ok|
20_niusmallnan_longhorn-csi.yml|reject|kubernetes_version: v1\.10\.1-rancher2 is an unsupported Kubernetes version and system images are not populated: etcd image is not populated
21_Lancger_opsfull.yml|ok|
22_lllamnyp_k8s-stickshift-migration.yml|ok|
23_mrkimoz_multi-region-k8s.yml|ok|
24_rational-net_k8s-ops.yml|ok|
25_samsonnguyen_homelab-flux.yml|reject|kubernetes_version: v1\.32\.13-rancher1-2 is an unsupported Kubernetes version and system images are not populated: etcd image is not populated
26_rancher_dartboard.yml|reject|unrendered template `%\{ for .*could not find expected directive name
27_ErikLundJensen_rke-sandbox-cluster.yml|reject|unrendered template `\{\{ rke\.master\.ip \}\}`
28_Anil-naguloori_RKE-Setup.yml|reject|kubernetes_version: v1\.32\.6-rancher1-1 is an unsupported Kubernetes version and system images are not populated: etcd image is not populated
29_wardenlym_benchmark-test-on-kvm.yml|ok|
30_b1-systems_rke-former.yml|reject|unrendered template `%\{ for .*could not find expected directive name
31_rancher_rke.yml|reject|no node has the etcd role.*at least one etcd plane host
31b_rancher_rke.yml|reject|nodes\[2\]\.role\[0\]: unknown role `role`.*Failed to recognize host \[example\.com\] role role
'
# expected line of the first error (the saved file; INDEX.md quotes the original, one less)
lines='07:8 08:4 18:3 20:20 25:3 26:10 27:4 28:4 30:15 31:3 31b:22'

seen=0
while IFS='|' read -r file verdict pattern; do
	[ -n "$file" ] || continue
	seen=$((seen + 1))
	path="$CORPUS/$file"
	[ -f "$path" ] || { bad "$file: missing from the corpus"; continue; }
	run validate "$path"
	if [ "$verdict" = ok ]; then
		expect_rc 0 "$file accepted"
		continue
	fi
	expect_rc 1 "$file rejected"
	first=$(grep -v ': warning: ' "$TMP/err" | head -n 1)
	id=${file%%_*}
	want=$(for l in $lines; do [ "${l%%:*}" = "$id" ] && echo "${l#*:}"; done)
	if printf '%s\n' "$first" | grep -Eq "^$(printf '%s' "$path" | sed 's/[.[\*^$]/\\&/g'):$want:[0-9]+: "; then
		ok "$file: error at line $want"
	else
		bad "$file: wanted FILE:$want:COL:, got: $first"
	fi
	if printf '%s\n' "$first" | grep -Eq -- "$pattern"; then ok "$file: same kind as RKE"; else bad "$file: /$pattern/ not in: $first"; fi
	expect_one_error "$file"
done <<<"$table"

# where RKE is silent, paddock warns (with file:line:col)
warn() {   # file regex desc
	run validate "$CORPUS/$1"
	expect_err "^$CORPUS/$1:[0-9]+:[0-9]+: warning: .*$2" "$1: $3"
}
warn 05_renve_rke.yml 'kube-api: not a key at this level.*did you mean `services.kube-api`' "misplaced top-level kube-api"
warn 05_renve_rke.yml 'nodes: 2 etcd nodes: an even count' "even etcd count (2)"
warn 01_danbooru_danbooru-infrastructure.yml 'nodes: 4 etcd nodes' "even etcd count (4)"
warn 06_armanbasirat_rke.yml 'private_registries: duplicate key \(first at line 202\)' "duplicate key"
warn 21_Lancger_opsfull.yml 'pod_security_policy: removed in RKE v1.6' "removed key, set true"
run validate "$CORPUS/06_armanbasirat_rke.yml"
if grep -q 'pod_security_policy' "$TMP/err"; then bad "06: pod_security_policy: false warned"; else ok "06: pod_security_policy: false (rke config's boilerplate) not warned"; fi
warn 06_armanbasirat_rke.yml 'private_registries\[0\]\.username: not a key' "registry username"
warn 21_Lancger_opsfull.yml 'system_images.wave_node: unknown key.*did you mean `weave_node`' "typo with suggestion"
warn 09_Jason-ZW_kubernetes-dual-stack-poc.yml 'monitoring.provider: `metric-server`' "monitoring provider typo"
warn 10_ams0_rancher-home.yml 'services.etcd-snapshot: not a key' "etcd-snapshot"
warn 31_rancher_rke.yml 'hosts: pre-release RKE schema' "pre-release hosts:"
warn 19_dmpe_fedora-coreos-example.yml 'nodes: no node has the worker role' "no worker node"
warn 01_danbooru_danbooru-infrastructure.yml 'kubernetes_version: v1\.20\.5-rancher1-1: RKE releases after 1\.3\.99 no longer offer this minor \(its maxRKEVersion in the version data paddock carries: KDM dev-v2\.9' "version RKE no longer offers"
warn 12_jhillyerd_homelab.yml 'system_images\.kubernetes: `rancher/hyperkube:v1\.17\.14-rancher1` is Kubernetes v1\.17\.14, but kubernetes_version is v1\.30\.5-rancher1-1.*v1\.17.s default flags instead of v1\.30.s' "kubernetes image of another version"

# after a template error, notes list every other template; a secret's value is never shown
note() {   # file regex desc
	run validate "$CORPUS/$1"
	expect_err "^$CORPUS/$1:[0-9]+:[0-9]+: note: .*$2" "$1: $3"
}
note 26_rancher_dartboard.yml 'unrendered template `\$\{jsonencode\(ssh_private_key_path\)\}`' "template before the error line"
note 27_ErikLundJensen_rke-sandbox-cluster.yml 'unrendered template `\{\{ rke\.worker\.nodeX\.ip\}\}`' "second template"
note 27_ErikLundJensen_rke-sandbox-cluster.yml 'unrendered template in the value of `password`, which may be a secret \(not shown\)' "secret named, not shown"
if grep -q GEN_QUAY_PASSWORD "$TMP/err"; then bad "27: the password's template is printed"; else ok "27: the password's template is not printed"; fi
n=$(grep -c ': note: unrendered template' "$TMP/err")
[ "$n" -eq 2 ] && ok "27: two other templates, the commented one not among them" || bad "27: $n notes"
# a RancherOS cloud-config handed over as a cluster.yml
run validate "$CORPUS/cloudconfig_01_0xDezzy_rancheros-config.yml"
expect_err ': note: this looks like a cloud-config' "cloud-config: a hint after the error"

# every cluster.yml in the corpus is in the table (cloud-config files are out of scope)
total=$(ls "$CORPUS" | grep -E '^[0-9].*\.yml$' | wc -l)
if [ "$total" -eq "$seen" ]; then ok "all $total corpus files covered"; else bad "table has $seen files, corpus $total"; fi
finish
