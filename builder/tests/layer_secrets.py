#!/usr/bin/env python3
"""Finds the private keys of a cluster state file in a paddock OUT.

usage: layer_secrets.py STATE OUT [EXTRA_FILE...]

Reads every file of every layer (base.img and each <node>/node.img: zstd
streams of concatenated newc cpio archives), and the extra files as they
are, and looks for each private key of STATE: its PEM body, the base64
of its PEM (as a kubeconfig inlines it), and an Ed25519 key's raw seed (as
OpenSSH's key file holds it inside its armour, which is decoded for the
search, and dropbear's as such).  Prints one line per finding and
exits 1 when a key is where it must not be:

  - a node's key outside that node's layer (and every X.509 leaf key and
    SSH host key of a node not in its layer, mode 0600);
  - a cluster key (CAs, admin, etcd client, SSH CA) in any layer or extra;
  - the service-account and secrets-encryption keys outside the control
    plane nodes' layers.
"""
import base64
import json
import os
import re
import subprocess
import sys


def newc_files(blob):
    """(path, mode, uid, gid, data) of each file of concatenated newc archives."""
    pos = 0
    while True:
        pos = blob.find(b"070701", pos)
        if pos < 0:
            return
        h = blob[pos:pos + 110]
        field = lambda i: int(h[6 + 8 * i:14 + 8 * i], 16)
        mode, uid, gid, size, namesize = field(1), field(2), field(3), field(6), field(11)
        name_at = pos + 110
        name = blob[name_at:name_at + namesize - 1].decode()
        data_at = (name_at + namesize + 3) & ~3
        data = blob[data_at:data_at + size]
        pos = (data_at + size + 3) & ~3
        if name != "TRAILER!!!" and (mode & 0o170000) == 0o100000:
            yield "/" + name.lstrip("./"), mode & 0o7777, uid, gid, data


OPENSSH_KEY = re.compile(rb"-----BEGIN OPENSSH PRIVATE KEY-----(.*?)-----END OPENSSH PRIVATE KEY-----", re.S)


def needles(pem):
    body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    found = [body.encode(), base64.b64encode(pem.encode())]
    der = base64.b64decode(body)
    if len(der) == 48 and der[:16] == bytes.fromhex("302e020100300506032b657004220420"):
        # an Ed25519 key (PKCS#8): its 32-byte seed as such, as OpenSSH's
        # (decoded) and dropbear's key files hold it; newlines are dropped
        # from what is searched
        found.append(der[16:].replace(b"\n", b""))
    return found


def main():
    state_path, out, extras = sys.argv[1], sys.argv[2], sys.argv[3:]
    state = json.load(open(state_path))
    keys = []  # (label, owner node or "cluster" or "controlplane", needles, must_be_found)
    for slot, text in state["cluster"].items():
        if "PRIVATE KEY" in text:
            shared = slot == "kube-service-account-token-key.pem"
            keys.append(("cluster " + slot, "controlplane" if shared else "cluster", needles(text), False))
        elif slot == "encryption-key":
            keys.append(("cluster " + slot, "controlplane", [text.encode()], False))
    for node, slots in state["nodes"].items():
        for slot, text in slots.items():
            if "PRIVATE KEY" in text:
                leaf = slot.endswith("-key.pem") or slot == "ssh_host_ed25519_key"
                keys.append(("node %s %s" % (node, slot), node, needles(text), leaf))
            elif slot == "report.key":
                # the key of its boot-stage reports: hex, and its bytes
                raw = bytes.fromhex(text.strip())
                keys.append(("node %s %s" % (node, slot), node, [text.strip().encode(), raw], True))
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    controlplane = set()
    layers = {"base": os.path.join(out, "base.img")}
    for n in manifest["nodes"]:
        layers[n["name"]] = os.path.join(out, n["name"], "node.img")
    bad = 0
    found = {}
    for layer, img in sorted(layers.items()):
        blob = subprocess.run(["zstd", "-dc", img], check=True, capture_output=True).stdout
        nfiles = 0
        for path, mode, uid, gid, data in newc_files(blob):
            nfiles += 1
            if path == "/etc/paddock/node.conf" and b"node.role=controlplane" in data:
                controlplane.add(layer)
            flat = data.replace(b"\n", b"")
            for m in OPENSSH_KEY.finditer(data):
                # the seed is searched with its newline bytes dropped, so here too
                flat += base64.b64decode(b"".join(m.group(1).split())).replace(b"\n", b"")
            for label, owner, ns, _ in keys:
                if any(x in flat for x in ns):
                    found.setdefault(label, []).append((layer, path, mode, uid, gid))
        print("scanned %s: %d files" % (layer, nfiles))
    for extra in extras:
        flat = open(extra, "rb").read().replace(b"\n", b"")
        for label, owner, ns, _ in keys:
            if any(x in flat for x in ns):
                print("FAIL: %s in %s" % (label, extra))
                bad += 1
    for label, owner, ns, must in keys:
        hits = found.get(label, [])
        for layer, path, mode, uid, gid in hits:
            allowed = layer == owner or (owner == "controlplane" and layer in controlplane)
            print("%s: %s %s %04o %d:%d%s" % (label, layer, path, mode, uid, gid, "" if allowed else "  <- FAIL"))
            if not allowed:
                bad += 1
            elif mode != (0o400 if label.endswith(" report.key") else 0o600):
                print("FAIL: %s: %s %s has mode %04o" % (label, layer, path, mode))
                bad += 1
        if must and not any(h[0] == owner for h in hits):
            print("FAIL: %s is not in its node's layer" % label)
            bad += 1
    print("%d keys, %d misplaced" % (len(keys), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
