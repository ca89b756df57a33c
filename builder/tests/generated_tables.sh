#!/usr/bin/env bash
# The committed generated tables are what their generators make from the
# reference data in ../shared: builder/config/schema_keys.c from RKE's key
# tree (tools/gen-schema), builder/config/k8s_table.c from RKE's KDM data
# (tools/gen-k8s-versions).  Without ../shared there is nothing to compare
# with: the test is skipped, never passed.
. "$(dirname "$0")/testlib.bash"
shared=$(shared_dir) || skip "no ../shared beside the repository: the generated tables cannot be compared with RKE's data"

keytree=$shared/reference/rke-keytree.txt
if [ ! -f "$keytree" ]; then
	bad "$keytree is missing"
elif python3 tools/gen-schema "$keytree" builder/config/schema_paddock.txt >"$TMP/keys.c" &&
	cmp -s "$TMP/keys.c" builder/config/schema_keys.c; then
	ok "builder/config/schema_keys.c is up to date"
else
	bad "builder/config/schema_keys.c differs from tools/gen-schema's output"
fi

kdm=${PADDOCK_KDM:-$shared/reference/kdm/rke-kdm.json}
if [ ! -f "$kdm" ]; then
	bad "$kdm is missing"
elif python3 tools/gen-k8s-versions "$kdm" >"$TMP/k8s.c" && cmp -s "$TMP/k8s.c" builder/config/k8s_table.c; then
	ok "builder/config/k8s_table.c is up to date"
else
	bad "builder/config/k8s_table.c differs from tools/gen-k8s-versions' output"
fi
finish
