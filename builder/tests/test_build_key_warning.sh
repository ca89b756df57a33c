#!/usr/bin/env bash
# The operator's key (private or .pub) missing for every node is one
# warning plus a count, not one line per node (a 1000-node cluster printed
# 1000 lines).
. builder/tests/build-helpers.bash
new_cache "$T/c"
{
	echo "cluster_name: many"
	echo "kubernetes_version: v1.32.5-rancher1-1"
	echo "ssh_key_path: $T/no-such-key"
	echo "nodes:"
	for i in 1 2 3 4; do
		echo "  - {address: 10.1.0.$i, hostname_override: n$i, user: r, role: [$([ "$i" = 1 ] && echo etcd, controlplane, )worker]}"
	done
} >"$T/many.yml"
"$PADDOCK" build "$T/many.yml" --formats kernel -q -o "$T/out" --cache "$T/c" 2>"$T/log" || { cat "$T/log"; fail "build"; }
cat "$T/log"
[ "$(grep -c 'sshd will accept no key' "$T/log")" -eq 1 ] || fail "expected the key warning once"
grep -q "^paddock build: warning: node n1: $T/no-such-key: No such file or directory (nor $T/no-such-key.pub); sshd will accept no key$" "$T/log" ||
	fail "first warning names the node and the file"
grep -qx 'paddock build: warning: the same for 3 more node(s)' "$T/log" || fail "count of repeats"
echo PASS
