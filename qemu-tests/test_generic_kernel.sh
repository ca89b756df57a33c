#!/usr/bin/env bash
# The generic (hardware) kernel flavour: builds the single-node example with
# --kernel generic and runs the base contents check against it (its module
# set differs from the cloud kernel's: more is modular, e.g. crc32c).
set -u
cd "$(dirname "$0")/.."
T=$(mktemp -d "${TMPDIR:-/tmp}/paddock-generic.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PADDOCK" build configs/single-node.yml -q -o "$T/out" --kernel generic || { echo "FAIL: build"; exit 1; }
grep -q '"flavour": "generic"' "$T/out/manifest.json" || { echo "FAIL: not the generic kernel"; exit 1; }
EXAMPLE_OUT=$T/out bash qemu-tests/test_base_contents.sh
