#!/usr/bin/env bash
# The cloud kernel flavour (the example uses the generic one): builds the
# single-node example with --kernel cloud and runs the base contents check
# against it (its module set differs: fewer drivers, more built in).
set -u
cd "$(dirname "$0")/.."
T=$(mktemp -d "${TMPDIR:-/tmp}/paddock-cloud.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PADDOCK" build configs/single-node.yml -q -o "$T/out" --kernel cloud || { echo "FAIL: build"; exit 1; }
grep -q '"flavour": "cloud"' "$T/out/manifest.json" || { echo "FAIL: not the cloud kernel"; exit 1; }
EXAMPLE_OUT=$T/out bash qemu-tests/test_base_contents.sh
