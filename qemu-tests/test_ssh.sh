#!/usr/bin/env bash
# SSH to a booted node with what the build hands the operator.  The
# single-node example is built with a test key as ssh_key_path (no .pub
# beside it: paddock derives the public key) and boots with its SSH port
# forwarded to 127.0.0.1:
#   - `ssh -F out/ssh_config <node>` logs in with StrictHostKeyChecking yes
#     and no prompt (BatchMode).  The test only points HostName and Port at
#     the forwarded port; the node is checked under its own name
#     (HostKeyAlias) against out/known_hosts, which holds the host key the
#     state file gave dropbear;
#   - without that known_hosts entry, ssh refuses the node;
#   - a password (or keyboard-interactive) login is refused, and dropbear
#     runs with the node's key (-r), keys only (-s), 3 tries (-T 3), no
#     port forwarding (-j -k: a remote port and a direct channel are
#     refused), no key made at the first connection (-R); the key's
#     authorized_keys line allows no agent, X11 or port forwarding;
#   - a second build from the same state file gives the same host key and
#     known_hosts: after a reboot from it the strict login still works.
# Not here: ssh-audit (Debian's is not installed on this machine, and
# dropbear is no OpenSSH to hold to its settings; it comes with the
# OpenSSH image).
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
SERVICES="syslog ntp sshd docker"
NODE=paddock-single
KEY=/etc/dropbear/dropbear_ed25519_host_key
T=$QEMU_TMP
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
rm -f "$T/id.pub"

sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" -e 's|^  formats:.*|  formats: [kernel]|' \
	configs/single-node.yml >"$T/cluster.yml"
build() {
	rm -rf "$T/out"
	(cd "$T" && "$PADDOCK" build cluster.yml -q -o out 2>"$T/build.err") || { cat "$T/build.err"; fail "paddock build"; }
	for f in ssh_config known_hosts; do
		[ "$(stat -c %a "$T/out/$f")" = 600 ] || fail "out/$f is not 0600"
		grep -q "  $f\$" "$T/out/SHA256SUMS" || fail "out/$f is not in SHA256SUMS"
		python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(sys.argv[2] not in [f["path"] for f in m["operator"]])' \
			"$T/out/manifest.json" "$f" || fail "out/$f is not among the manifest's operator files"
	done
	cat "$T/out/base.img" "$T/out/$NODE/node.img" >"$T/initrd.img"
}

# the node's host key as its layer has it (in $T/layer), and its public
# key line; prints the key's public fingerprint
layer_key() {
	zstd -dc "$T/out/$NODE/node.img" | (cd "$T" && rm -rf layer && mkdir layer && cd layer &&
		cpio -i -d --quiet "${KEY#/}" "${KEY#/}.pub") || fail "no host key in the node layer"
	[ "$(stat -c %a "$T/layer$KEY")" = 600 ] || fail "$KEY is not 0600 in the node layer"
	ssh-keygen -l -f "$T/layer$KEY.pub" | cut -d' ' -f2
}

boot() {
	qemu_boot_node "$T/out" "$NODE" "$T/initrd.img" 52:54:00:00:01:01
	qemu_wait_services vm "$SERVICES"
	# dropbear may still be binding its port right after start
	for i in $(seq 1 30); do nssh "$NODE" true 2>/dev/null && break; sleep 2; done
}

# ssh as the operator runs it, from the directory that holds out/
nssh() {
	(cd "$T" && timeout 90 ssh -F out/ssh_config -o HostName=127.0.0.1 -o Port="$PORT" \
		-o BatchMode=yes -o ConnectTimeout=30 "$@")
}

# strict_login WHAT: logs in through out/ssh_config, the host key checked
strict_login() {
	nssh -v "$NODE" 'echo logged-in-as-$(id -un)' >"$T/login.out" 2>"$T/login.log" ||
		{ cat "$T/login.log"; fail "$1: ssh -F out/ssh_config $NODE"; }
	grep -qx "logged-in-as-root" "$T/login.out" || fail "$1: not logged in as root"
	grep -q "debug1: Host '$NODE' is known and matches the ED25519 host key" "$T/login.log" ||
		{ grep -i 'host' "$T/login.log"; fail "$1: ssh did not check the node's host key under its name"; }
	grep -E "is known and matches|Server host key" "$T/login.log" | sed "s/^/ssh ($1): /"
}

build
fp1=$(layer_key)
cp "$T/layer$KEY" "$T/host_key.1"
cp "$T/out/known_hosts" "$T/known_hosts.1"
ssh -G -F "$T/out/ssh_config" "$NODE" </dev/null 2>/dev/null | grep -qx 'stricthostkeychecking true' ||
	fail "ssh_config does not check host keys strictly"
# the public key of the layer is the one known_hosts pins for the node
pub=$(cut -d' ' -f1,2 "$T/layer$KEY.pub")
grep -q "^$NODE,[^ ]* $pub $NODE\$" "$T/out/known_hosts" || fail "known_hosts does not pin the layer's host key"

boot
strict_login "first build"

# strict checking is real: a known_hosts without the node refuses it
: >"$T/empty_known_hosts"
nssh -o UserKnownHostsFile="$T/empty_known_hosts" "$NODE" true 2>"$T/refused.log" &&
	fail "an unknown host key was accepted"
grep -q 'Host key verification failed' "$T/refused.log" || { cat "$T/refused.log"; fail "no host key failure"; }
echo "strict host key checking: refused with an empty known_hosts"

# keys only: no password, no keyboard-interactive
nssh -v -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
	"$NODE" true 2>"$T/password.log" && fail "login without the key"
tr -d '\r' <"$T/password.log" | grep -q 'Authentications that can continue: publickey$' ||
	{ grep -i authentic "$T/password.log"; fail "dropbear offers more than publickey"; }
echo "password and keyboard-interactive refused: dropbear offers publickey only"

# dropbear as it runs: the node's key, keys only, 3 tries, no forwarding, no -R
args=$(nssh "$NODE" 'tr "\0" " " </proc/$(pidof dropbear | tr " " "\n" | sort -n | head -n 1)/cmdline') ||
	fail "dropbear's command line"
echo "dropbear: $args"
for want in " -s " " -T 3 " " -j " " -k " " -r $KEY "; do
	case " $args " in *"$want"*) ;; *) fail "dropbear runs without '$want'" ;; esac
done
case " $args " in *" -R "*) fail "dropbear makes host keys (-R)" ;; esac
nssh "$NODE" "ls /etc/dropbear/" | grep -v "^${KEY##*/}\$" | grep . && fail "dropbear has keys of its own"
# nothing forwarded: a remote port (-k, no-port-forwarding), a direct channel (-j)
nssh -o ExitOnForwardFailure=yes -R 127.0.0.1:0:127.0.0.1:9 "$NODE" true 2>"$T/fwd.log" &&
	fail "a remote port forwarding was granted"
timeout 60 bash -c "cd '$T' && ssh -F out/ssh_config -o HostName=127.0.0.1 -o Port=$PORT -o BatchMode=yes \
	-W 127.0.0.1:22 $NODE </dev/null" >"$T/fwd.out" 2>>"$T/fwd.log" && fail "a direct-tcpip channel was opened"
grep -q '^SSH-' "$T/fwd.out" && fail "the forwarded channel reached dropbear's port"
grep -q 'remote port forwarding failed' "$T/fwd.log" && grep -Eq 'open failed|stdio forwarding failed' "$T/fwd.log" ||
	{ cat "$T/fwd.log"; fail "forwarding failed for another reason than a refusal"; }
nssh "$NODE" 'head -c 60 /root/.ssh/authorized_keys; echo' | grep -q '^no-agent-forwarding,no-X11-forwarding,no-port-forwarding ' ||
	fail "authorized_keys does not restrict the key"
echo "port forwarding refused both ways; the key allows no agent, X11 or port forwarding"
qemu_powerdown_clean vm

# the same state file: the same host key, the same known_hosts, strict login after a reboot
build
fp2=$(layer_key)
cmp -s "$T/host_key.1" "$T/layer$KEY" || fail "the rebuilt node has another host key file"
[ "$fp1" = "$fp2" ] || fail "the rebuilt node has another host key"
cmp -s "$T/known_hosts.1" "$T/out/known_hosts" || fail "known_hosts changed with the rebuild"
echo "rebuild from the same state file: the same host key file ($fp2), known_hosts unchanged"
boot
strict_login "rebuild"
qemu_powerdown_clean vm
echo "PASS: ssh -F out/ssh_config: strict host key from the state file, keys only, stable across rebuilds"
