#!/usr/bin/env python3
"""Compares the role containers System Docker created on a test guest with
`paddock plan --json`: for each NAME, GET /containers/NAME/json and its
image's /images/ID/json through the Engine API at URL (qemu-tests'
engine_proxy in the guest), and checks that the container runs

  - the plan's image, and that image is the test fixture (its label);
  - Cmd = the plan's binary then every argument, in order; the image's own
    Entrypoint (paddock sets none);
  - Env = the plan's, then the image's that the plan does not set
    (Docker's merge);
  - User = the plan's ("" for root);
  - Binds = the plan's, in order;
  - NetworkMode, PidMode ("" is private), Privileged = the plan's;
  - RestartPolicy "no": paddock-services restarts it itself (the plan's
    "always"; the test kills one to see that), Docker must not as well;
  - and is running.

Prints one line per container; every mismatch on its own line, exit 1.

usage: engine_vs_plan.py PLAN.json NODE URL NAME..."""
import json
import sys
import urllib.parse
import urllib.request


def get(url, path):
    with urllib.request.urlopen(url + path, timeout=30) as r:
        return json.load(r)


def merged_env(image_env, plan_env):
    """Docker's merge at create: the container's own variables in order,
    then each of the image's whose name the container does not set."""
    env = list(plan_env or [])
    keys = {e.split("=", 1)[0] for e in env}
    env += [e for e in image_env or [] if e.split("=", 1)[0] not in keys]
    return env


def check(plan_ct, url):
    name = plan_ct["name"]
    c = get(url, "/containers/%s/json" % urllib.parse.quote(name))
    img = get(url, "/images/%s/json" % urllib.parse.quote(c["Image"]))
    cfg, host = c["Config"], c["HostConfig"]
    want_cmd = ([plan_ct["binary"]] if plan_ct["binary"] else []) + plan_ct["args"]
    checks = [
        ("image", cfg["Image"], plan_ct["image"]),
        ("fixture label", (cfg.get("Labels") or {}).get("org.paddock.test-fixture"), "true"),
        ("Cmd", cfg.get("Cmd"), want_cmd),
        ("Entrypoint", cfg.get("Entrypoint"), img["Config"].get("Entrypoint")),
        ("Env", cfg.get("Env"), merged_env(img["Config"].get("Env"), plan_ct["env"])),
        ("User", cfg.get("User") or "", plan_ct["user"] or ""),
        ("Binds", host.get("Binds") or [], plan_ct["binds"]),
        ("NetworkMode", host.get("NetworkMode"), plan_ct["network_mode"]),
        ("PidMode", host.get("PidMode") or "private", plan_ct["pid_mode"]),
        ("Privileged", host.get("Privileged"), plan_ct["privileged"]),
        ("RestartPolicy", (host.get("RestartPolicy") or {}).get("Name"),
         "no" if plan_ct["restart"] == "always" else "?"),
        ("running", c["State"]["Running"], True),
    ]
    bad = ["%s: %s is %r, the plan says %r" % (name, what, got, want)
           for what, got, want in checks if got != want]
    if not bad:
        print("%s: as planned: %s, %d command words, %d binds, %d env, user %s, network %s, pid %s%s, "
              "restart by paddock-services" % (
                  name, plan_ct["image"], len(want_cmd), len(plan_ct["binds"]), len(plan_ct["env"]),
                  plan_ct["user"] or "root", plan_ct["network_mode"], plan_ct["pid_mode"],
                  ", privileged" if plan_ct["privileged"] else ""))
    return bad


def main():
    plan_path, node, url, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    plan = json.load(open(plan_path))
    cts = {c["name"]: c for n in plan["nodes"] if n["name"] == node for c in n["containers"]}
    bad = []
    for name in names:
        if name not in cts:
            bad.append("%s: not in the plan of %s" % (name, node))
            continue
        try:
            bad += check(cts[name], url)
        except OSError as e:
            bad.append("%s: %s" % (name, e))
    for b in bad:
        print("MISMATCH " + b)
    sys.exit(1 if bad else 0)


main()
