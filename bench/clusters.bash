# Sourced by the benchmarks: big cluster files made on the fly.

# bench_cluster N [EXTRA]: an RKE cluster.yml with N nodes (3 etcd +
# control plane, the rest workers) on stdout; EXTRA (text) is appended.
bench_cluster() {
	local n=$1 i
	echo "cluster_name: bench$n"
	echo "kubernetes_version: v1.30.5-rancher1-1"
	echo "nodes:"
	for i in $(seq 1 "$n"); do
		echo "  - address: 10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"
		echo "    hostname_override: node$i"
		echo "    user: rancher"
		if [ "$i" -le 3 ]; then echo "    role: [controlplane, etcd, worker]"; else echo "    role: [worker]"; fi
	done
	[ -z "${2:-}" ] || printf '%s\n' "$2"
}
