#!/usr/bin/env python3
"""Test helper: ../shared/reference/kdm/rke-kdm.json in the shape of RKE's
data.json, the file Rancher publishes for RKE (kontainer-driver-metadata's
Data struct: its Go field names are the top-level keys).  The inner shapes
are already RKE's (system images under their JSON names, service options
per component, version info), so only the top level changes; a few keys
RKE's data carries and paddock does not use are added empty.

usage: kdm_to_data_json.py RKE_KDM_JSON OUT [--add VERSION FROM]
  --add: a new version VERSION with FROM's images and options, its
  Kubernetes image tagged for VERSION (a data.json newer than paddock's)."""
import json
import sys

src, out = sys.argv[1], sys.argv[2]
kdm = json.load(open(src))
data = {
    "K8sVersionServiceOptions": kdm["service_options"],
    "K8sVersionRKESystemImages": kdm["system_images"],
    "K8sVersionedTemplates": {},
    "K8sVersionInfo": kdm["k8s_version_info"],
    "RancherDefaultK8sVersions": {},
    "RKEDefaultK8sVersions": kdm["rke_default_k8s_versions"],
    "K8sVersionDockerInfo": {},
    "K8sVersionWindowsServiceOptions": {},
}
if len(sys.argv) > 3 and sys.argv[3] == "--add":
    new, base = sys.argv[4], sys.argv[5]
    imgs = dict(data["K8sVersionRKESystemImages"][base])
    tag = new.rsplit("-", 1)[0]                   # v1.32.6-rancher1-1 -> v1.32.6-rancher1
    imgs["kubernetes"] = "rancher/hyperkube:" + tag
    imgs["etcd"] = "rancher/mirrored-coreos-etcd:v3.5.16"
    data["K8sVersionRKESystemImages"][new] = imgs
    minor = ".".join(new.split(".")[:2])
    data["K8sVersionServiceOptions"][minor] = data["K8sVersionServiceOptions"][".".join(base.split(".")[:2])]
json.dump(data, open(out, "w"), indent=1, sort_keys=False)
