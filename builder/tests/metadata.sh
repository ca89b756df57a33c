#!/usr/bin/env bash
# Version data at run time: `--metadata FILE` / PADDOCK_METADATA read RKE's
# data.json instead of the table paddock carries.  The same data (rke-kdm.json
# in data.json's shape, builder/tests/kdm_to_data_json.py) gives the same
# plans for the whole corpus; a data.json with a newer version plans it; a
# broken one is one error naming the file.  And `paddock images` against
# `plan --json` on both examples.
. "$(dirname "$0")/testlib.bash"
shared=$(shared_dir) || skip "no ../shared beside the repository: no KDM data to convert"
kdm=$shared/reference/kdm/rke-kdm.json
conv=builder/tests/kdm_to_data_json.py
python3 "$conv" "$kdm" "$TMP/data.json" || bad "converting rke-kdm.json"

# the data's name, as messages and version_data give it, made neutral
neutral() {
	sed -e 's/the version data paddock carries: [^)";]*/DATA/g' -e "s#the version data in $TMP/data.json#DATA#g" \
		-e '/"version_data":/d'
}

# every corpus file: the same verdict, messages and plan
same=0 differ=0
for f in "$shared"/corpus/rke/*.yml; do
	"$PADDOCK" plan --json "$f" >"$TMP/a.out" 2>"$TMP/a.err"; rca=$?
	"$PADDOCK" plan --json --metadata "$TMP/data.json" "$f" >"$TMP/b.out" 2>"$TMP/b.err"; rcb=$?
	if [ "$rca" = "$rcb" ] && cmp -s <(neutral <"$TMP/a.out") <(neutral <"$TMP/b.out") &&
		cmp -s <(neutral <"$TMP/a.err") <(neutral <"$TMP/b.err"); then
		same=$((same + 1))
	else
		differ=$((differ + 1)); echo "  differs: $(basename "$f") (exit $rca / $rcb)"
		diff <(neutral <"$TMP/a.out"; neutral <"$TMP/a.err") <(neutral <"$TMP/b.out"; neutral <"$TMP/b.err") | head -8
	fi
done
n=$(ls "$shared"/corpus/rke/*.yml | wc -l)
[ "$differ" = 0 ] && [ "$same" = "$n" ] && [ "$n" -gt 0 ] &&
	ok "--metadata with rke-kdm.json as data.json: the same plan --json for all $n corpus files" ||
	bad "--metadata: $differ of $n corpus files plan differently"

# the plan names the data it used: file and sha256
run plan --json --metadata "$TMP/data.json" configs/single-node.yml
sha=$(sha256sum "$TMP/data.json" | cut -d' ' -f1)
printf '%s' "$out" | python3 -c '
import json, sys
v = json.load(sys.stdin)["version_data"]
assert v == {"name": "the version data in " + sys.argv[1], "file": sys.argv[1], "sha256": sys.argv[2]}, v
' "$TMP/data.json" "$sha" && ok "plan --json names the data.json and its sha256" || bad "plan --json: version_data $out"
run plan --json configs/single-node.yml
printf '%s' "$out" | python3 -c '
import json, sys
v = json.load(sys.stdin)["version_data"]
assert v["name"] == "the version data paddock carries: KDM dev-v2.9, RKE v1.6" and v["file"] is None, v
assert v["sha256"] == sys.argv[1], v
' "$(sha256sum "$kdm" | cut -d' ' -f1)" && ok "without it, the data paddock carries, by name and hash" ||
	bad "plan --json: embedded version_data $out"

# a data.json newer than paddock: a version it does not carry
python3 "$conv" "$kdm" "$TMP/new.json" --add v1.32.6-rancher1-1 v1.30.5-rancher1-1 || bad "editing data.json"
sed 's/^kubernetes_version: .*/kubernetes_version: v1.32.6-rancher1-1/' configs/single-node.yml >"$TMP/v132.yml"
grep -q 'v1.32.6-rancher1-1' "$TMP/v132.yml" || echo 'kubernetes_version: v1.32.6-rancher1-1' >>"$TMP/v132.yml"
run validate "$TMP/v132.yml"
expect_rc 1 "v1.32.6 without the newer data"
expect_err 'v1\.32\.6-rancher1-1 is an unsupported Kubernetes version' "v1.32.6 is unknown to the data paddock carries"
run validate --metadata "$TMP/new.json" "$TMP/v132.yml"
expect_rc 0 "v1.32.6 with --metadata (the edited data.json)"
PADDOCK_METADATA=$TMP/new.json run plan --json "$TMP/v132.yml"
expect_rc 0 "v1.32.6 planned with PADDOCK_METADATA"
printf '%s' "$out" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["kubernetes_version"] == "v1.32.6-rancher1-1" and p["default_flags"] == "v1.32", p["default_flags"]
ct = {c["name"]: c for c in p["nodes"][0]["containers"]}
assert ct["kube-apiserver"]["image"] == "rancher/hyperkube:v1.32.6-rancher1", ct["kube-apiserver"]["image"]
assert p["system_images"]["kubernetes"] == "rancher/hyperkube:v1.32.6-rancher1"
assert p["version_data"]["file"].endswith("new.json"), p["version_data"]
' && ok "v1.32.6 plans with the edited data.json's images" || bad "v1.32.6 plan: $(head -c 300 "$TMP/out")"
run images --metadata "$TMP/new.json" "$TMP/v132.yml"
printf '%s' "$out" | grep -q '^rancher/hyperkube:v1.32.6-rancher1	pull from docker.io	' &&
	ok "images: the edited data.json's Kubernetes image" || bad "images with --metadata: $out"

# broken data: one error, naming the file (and the key when there is one)
head -c 300000 "$TMP/data.json" >"$TMP/cut.json"
run validate --metadata "$TMP/cut.json" configs/single-node.yml
expect_rc 1 "a truncated data.json"
expect_one_error "a truncated data.json"
expect_err "^$TMP/cut.json: not RKE's data.json: .*cut short" "the error names the truncated file"
PADDOCK_METADATA=$TMP/cut.json run plan configs/single-node.yml
expect_rc 1 "a truncated PADDOCK_METADATA"
expect_err "^$TMP/cut.json: " "the error names PADDOCK_METADATA's file"
python3 - "$TMP/data.json" "$TMP/badkey.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["K8sVersionRKESystemImages"]["v1.30.5-rancher1-1"]["kubernetes"] = 130
json.dump(d, open(sys.argv[2], "w"))
PY
run plan --metadata "$TMP/badkey.json" configs/single-node.yml
expect_rc 1 "an image that is not a string"
expect_one_error "an image that is not a string"
expect_err "^$TMP/badkey.json: K8sVersionRKESystemImages: v1\.30\.5-rancher1-1\.kubernetes: expected an image name, not a number" \
	"the error names the file and the key"
echo '{"system_images": {}}' >"$TMP/kdm-shape.json"
run validate --metadata "$TMP/kdm-shape.json" configs/single-node.yml
expect_rc 1 "a file of another shape"
expect_err "^$TMP/kdm-shape.json: K8sVersionRKESystemImages: missing" "the missing key is named"
run validate --metadata "$TMP/none.json" configs/single-node.yml
expect_rc 1 "a missing data.json"
expect_err "^$TMP/none.json: cannot open" "a missing data.json is named"
run validate configs/single-node.yml --metadata
expect_rc 2 "--metadata without FILE"
run audit --metadata "$TMP/data.json" "$TMP"
expect_rc 2 "--metadata on a verb that reads no cluster.yml"
PADDOCK_METADATA=$TMP/cut.json run validate --help
expect_rc 0 "--help does not read PADDOCK_METADATA"

# paddock images on both examples: the set plan --json gives
for ex in configs/ha-3node.yml configs/single-node.yml; do
	"$PADDOCK" plan --json "$ex" >"$TMP/plan.json" || bad "$ex: plan"
	"$PADDOCK" images --json "$ex" >"$TMP/images.json" || bad "$ex: images --json"
	"$PADDOCK" images "$ex" >"$TMP/images.txt" || bad "$ex: images"
	python3 - "$TMP/plan.json" "$TMP/images.json" "$TMP/images.txt" <<'PY' && ok "$ex: images = plan --json's images, once each, with their source" || bad "$ex: images differ from plan --json"
import json, sys
plan, imgs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
lines = open(sys.argv[3]).read().splitlines()
want = {}   # image -> source, from the plan: containers, the kubelet's pause, the add-ons
core = {"etcd", "kubernetes", "pod_infra_container", "alpine", "nginx_proxy", "cert_downloader",
        "kubernetes_services_sidecar"}
for n in plan["nodes"]:
    for c in n["containers"]:
        want[c["image"]] = c["source"]
        for a in c["args"]:
            if c["name"] == "kubelet" and a.startswith("--pod-infra-container-image="):
                want[a.split("=", 1)[1]] = "registry"
for k, v in plan["system_images"].items():
    if k not in core and v:
        want[v] = "registry"
got = [i["image"] for i in imgs["images"]]
assert len(got) == len(set(got)), "an image listed twice"
assert {i["image"]: i["source"] for i in imgs["images"]} == want, (got, want)
assert [l.split("\t")[0] for l in lines] == got, lines
default = [r["url"] for r in plan["private_registries"] if r["is_default"]]
for i in imgs["images"]:
    if i["source"] == "bundled":
        assert i["registry"] is None and i["image"] == "paddock/etcd:3.4.23-debian", i
    else:
        assert i["registry"] == (default[0] if default else "docker.io"), i
    assert i["nodes"] == [n["name"] for n in plan["nodes"]], i
assert imgs["version_data"] == plan["version_data"]
PY
done
finish
