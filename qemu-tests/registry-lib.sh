# qemu-tests/registry-lib.sh: Debian's docker-registry for the tests, with
# TLS (a CA and a server certificate made here) and htpasswd (bcrypt) auth;
# images pushed with skopeo.  Sourced; needs docker-registry, skopeo,
# htpasswd, openssl, python3.
#
#   registry_setup DIR PORT [ADDR [SAN-IP...]]
#       DIR/ca.pem, ca.key, srv.pem, srv.key, certs/ca.crt (skopeo's
#       --cert-dir), registry.yml (store DIR/store, log DIR/registry.log).
#       The registry listens on ADDR:PORT (default 127.0.0.1); the server
#       certificate names the SAN IPs (default 10.0.2.2 127.0.0.1: QEMU
#       user networking's host and loopback).  For the netns LAN
#       (qemu-tests/lan.sh): ADDR 10.10.0.1, SANs 10.10.0.1, and
#       REG_EXEC="ip netns exec $LAN_NS" so the registry runs, and is
#       probed and pushed to, inside the namespace (a command that execs,
#       not a shell function: REG_PID must be the registry's own pid).
#   registry_start USER PASSWORD
#       (re)starts it with that one user; REG_PID is its pid (added to
#       QEMU_HELPERS when lib.sh is sourced, so its cleanup ends it).
#   registry_push ARCHIVE REPO[:TAG] USER PASSWORD
#       copies a docker-archive tarball (of one image) to ADDR:PORT/REPO.
#   registry_inspect REPO[:TAG] USER PASSWORD [SKOPEO-OPTION...]
#       skopeo inspect's JSON of it (--raw: the manifest).
: "${REG_DIR:=}" "${REG_PORT:=}" "${REG_ADDR:=}" "${REG_PID:=}"
REG_EXEC=${REG_EXEC:-}

_reg_fail() {
	if declare -F fail >/dev/null; then fail "$@"; else echo "registry-lib: $*" >&2; exit 1; fi
}

registry_setup() {
	REG_DIR=$1 REG_PORT=$2 REG_ADDR=${3:-127.0.0.1}
	export REG_DIR REG_EXEC # for qemu-tests/k8s-images.sh, which pushes
	shift $(($# < 3 ? $# : 3))
	local sans=("$@") san= ip
	[ ${#sans[@]} -gt 0 ] || sans=(10.0.2.2 127.0.0.1)
	for ip in "${sans[@]}"; do san+=${san:+,}IP:$ip; done
	mkdir -p "$REG_DIR/store" "$REG_DIR/certs" || _reg_fail "registry directory"
	(
		cd "$REG_DIR" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
			-days 2 -subj "/CN=paddock test registry CA" 2>/dev/null || exit 1
		printf '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=%s\n%s\n' "$san" \
			'extendedKeyUsage=serverAuth' >srv.cnf
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key \
			-subj "/CN=${sans[0]}" -out srv.csr 2>/dev/null &&
			openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
				-extfile srv.cnf -extensions ext -out srv.pem 2>/dev/null
	) || _reg_fail "registry CA and certificate"
	cp "$REG_DIR/ca.pem" "$REG_DIR/certs/ca.crt"
	cat >"$REG_DIR/registry.yml" <<EOF2
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REG_DIR/store
http:
  addr: $REG_ADDR:$REG_PORT
  tls:
    certificate: $REG_DIR/srv.pem
    key: $REG_DIR/srv.key
auth:
  htpasswd:
    realm: paddock-test
    path: $REG_DIR/htpasswd
EOF2
}

registry_start() {
	local i
	[ -n "$REG_PID" ] && { kill "$REG_PID"; wait "$REG_PID" 2>/dev/null; }
	htpasswd -Bbn "$1" "$2" >"$REG_DIR/htpasswd" 2>/dev/null || _reg_fail "htpasswd"
	$REG_EXEC docker-registry serve "$REG_DIR/registry.yml" >>"$REG_DIR/registry.log" 2>&1 &
	REG_PID=$!
	declare -p QEMU_HELPERS >/dev/null 2>&1 && QEMU_HELPERS+=("$REG_PID")
	for i in $(seq 1 50); do
		$REG_EXEC python3 -c "import socket,sys; socket.create_connection(('$REG_ADDR',$REG_PORT),1)" \
			2>/dev/null && return
		sleep 0.2
	done
	_reg_fail "the registry does not listen"
}

registry_push() {
	$REG_EXEC skopeo copy -q --dest-cert-dir "$REG_DIR/certs" --dest-creds "$3:$4" "docker-archive:$1" \
		"docker://$REG_ADDR:$REG_PORT/$2" >"$REG_DIR/skopeo.log" 2>&1 ||
		{ cat "$REG_DIR/skopeo.log" >&2; return 1; }
}

registry_inspect() {
	local ref=$1 creds=$2:$3
	shift 3
	$REG_EXEC skopeo inspect "$@" --cert-dir "$REG_DIR/certs" --creds "$creds" "docker://$REG_ADDR:$REG_PORT/$ref"
}
