#!/usr/bin/env python3
"""Writes a tiny stand-in image for the boot-media tests: a base initramfs
(static busybox + an /init that prints the paddock markers and powers off)
and one node layer per node (/etc/paddock/node.conf), as newc cpio.

usage: mkfixture.py BUSYBOX OUTDIR NODE...
writes OUTDIR/base.img, OUTDIR/nodes/NODE.img, OUTDIR/NODE.initrd (both)."""
import os
import sys

INIT = b"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
read up idle </proc/uptime
echo "paddock: init ok ${up}"
name=$(/bin/busybox sed -n 's/^node.name=//p' /etc/paddock/node.conf)
echo "paddock: node ${name:-none}"
echo "paddock: cmdline $(/bin/busybox cat /proc/cmdline)"
echo o >/proc/sysrq-trigger
/bin/busybox sleep 30
"""

MTIME = int(os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))


class Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, 1, MTIME, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0))
        self.ino += 1
        self.out += hdr.encode() + nb
        self.out += b"\0" * ((4 - len(self.out) % 4) % 4)
        self.out += data
        self.out += b"\0" * ((4 - len(self.out) % 4) % 4)

    def dir(self, name):
        self._entry(name, 0o040755)

    def file(self, name, data, perm=0o644):
        self._entry(name, 0o100000 | perm, data)

    def chardev(self, name, major, minor):
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        self.out += b"\0" * ((512 - len(self.out) % 512) % 512)
        return bytes(self.out)


def main():
    busybox, outdir, nodes = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(os.path.join(outdir, "nodes"), exist_ok=True)
    b = Cpio()
    for d in ("bin", "dev", "etc", "proc", "sys"):
        b.dir(d)
    b.chardev("dev/console", 5, 1)
    b.file("bin/busybox", open(busybox, "rb").read(), 0o755)
    b.file("init", INIT, 0o755)
    base = b.finish()
    open(os.path.join(outdir, "base.img"), "wb").write(base)
    for n in nodes:
        c = Cpio()
        c.dir("etc")
        c.dir("etc/paddock")
        c.file("etc/paddock/node.conf", ("node.name=%s\n" % n).encode(), 0o600)
        layer = c.finish()
        open(os.path.join(outdir, "nodes", n + ".img"), "wb").write(layer)
        open(os.path.join(outdir, n + ".initrd"), "wb").write(base + layer)


main()
