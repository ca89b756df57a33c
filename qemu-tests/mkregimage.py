#!/usr/bin/env python3
"""Writes a test fixture image as a docker-archive (what `docker save`
writes), for test_registry.sh to push with skopeo: one layer holding a
static busybox, whose entrypoint says it is the fixture and sleeps until
SIGTERM, which ends it at once (as it ends a Kubernetes component).  It
stands in for a role container's image; it is no Kubernetes component.

usage: mkregimage.py BUSYBOX OUT.tar REPO:TAG"""
import hashlib
import io
import json
import sys
import tarfile

MTIME = 1700000000


def layer(busybox):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for d in ("bin", "tmp"):
            i = tarfile.TarInfo(d)
            i.type, i.mode, i.mtime = tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755, MTIME
            t.addfile(i)
        data = open(busybox, "rb").read()
        i = tarfile.TarInfo("bin/busybox")
        i.size, i.mode, i.mtime = len(data), 0o755, MTIME
        t.addfile(i, io.BytesIO(data))
        for name in ("sh", "sleep"):
            i = tarfile.TarInfo("bin/" + name)
            i.type, i.linkname, i.mode, i.mtime = tarfile.SYMTYPE, "busybox", 0o777, MTIME
            t.addfile(i)
    return buf.getvalue()


def main():
    busybox, out, tag = sys.argv[1:4]
    blob = layer(busybox)
    diff_id = "sha256:" + hashlib.sha256(blob).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
        "config": {
            # SIGTERM ends it, as it ends a Kubernetes component: as its
            # container's PID 1 a plain sleep would ignore it, and every
            # stop would wait out Docker's grace period before SIGKILL
            "Entrypoint": ["/bin/sh", "-c",
                           "echo paddock-test-fixture running as \"$0 $*\"; sleep 2147483647 & "
                           "trap \"kill $! 2>/dev/null; exit 0\" TERM INT; wait"],
            "Env": ["PATH=/bin"],
            "Labels": {"org.paddock.test-fixture": "true"},
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "qemu-tests/mkregimage.py"}],
    }, sort_keys=True).encode()
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_name = diff_id[7:] + "/layer.tar"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [tag], "Layers": [layer_name]}]).encode()
    with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in ((cfg_name, config), (layer_name, blob), ("manifest.json", manifest)):
            i = tarfile.TarInfo(name)
            i.size, i.mode, i.mtime = len(data), 0o644, MTIME
            t.addfile(i, io.BytesIO(data))


main()
