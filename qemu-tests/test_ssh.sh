#!/usr/bin/env bash
# OpenSSH on a booted node, checked from the host with real clients.  The
# single-node example is built with a test key as ssh_key_path (no .pub
# beside it: paddock derives the public key) and a test `user`, and boots
# with its SSH port forwarded to 127.0.0.1:
#   - the node's `port` is 2222 (as the guide's example): sshd listens there
#     and not on 22, and ssh_config names it;
#   - the first ssh right after "service sshd running" logs in (a service
#     is announced running once its health check passes);
#   - `ssh -F out/ssh_config <node>` logs in with StrictHostKeyChecking yes
#     and no prompt (BatchMode).  The test only points HostName and Port at
#     the forwarded port; the node is still checked under its own name
#     (HostKeyAlias), by the host certificate the cluster's SSH CA signed;
#   - without the CA and the key in known_hosts, or under a name the
#     certificate does not list, ssh refuses the node;
#   - a password login, keyboard-interactive and root are refused; the
#     user runs paddockctl but reads no secret and reaches no Docker;
#   - `sshd -T` in the guest (a root shell on the console, entering the
#     sshd container's mount namespace) shows the hardened settings;
#   - Debian's ssh-audit against the forwarded port reports no failure;
#   - a second build from the same state file gives the same host key,
#     host certificate and known_hosts.
set -u
cd "$(dirname "$0")/.."
. qemu-tests/lib.sh
command -v ssh-audit >/dev/null || { echo "SKIP: ssh-audit is not installed (make deps)"; exit 77; }
SERVICES="syslog ntp sshd docker"
NODE=paddock-single
USER_=tester
T=$QEMU_TMP
ssh-keygen -q -t ed25519 -N '' -C paddock-test -f "$T/id" || fail "ssh-keygen"
rm -f "$T/id.pub"

# the node's `port` as the guide's example sets it: sshd listens there
SSH_PORT=2222
sed -e "s|^ssh_key_path:.*|ssh_key_path: $T/id|" -e "s|^    user: .*|    user: $USER_\n    port: $SSH_PORT|" \
	-e 's|^  formats:.*|  formats: [kernel]|' configs/single-node.yml >"$T/cluster.yml"
grep -q "^    user: $USER_\$" "$T/cluster.yml" || fail "no node user in configs/single-node.yml"
grep -q "^    port: $SSH_PORT\$" "$T/cluster.yml" || fail "no node port in the test's cluster file"
KEY=/etc/ssh/ssh_host_ed25519_key
build() {
	rm -rf "$T/out" "$T/layer"
	(cd "$T" && "$PADDOCK" build cluster.yml -q -o out 2>"$T/build.err") || { cat "$T/build.err"; fail "paddock build"; }
	for f in ssh_config known_hosts; do
		[ "$(stat -c %a "$T/out/$f")" = 600 ] || fail "out/$f is not 0600"
		grep -q "  $f\$" "$T/out/SHA256SUMS" || fail "out/$f is not in SHA256SUMS"
	done
	# the node's SSH files as its layer has them
	mkdir "$T/layer" && zstd -dc "$T/out/$NODE/node.img" | (cd "$T/layer" && cpio -i -d --quiet 'etc/ssh/*') ||
		fail "no /etc/ssh in the node layer"
	[ "$(stat -c '%a %u' "$T/layer$KEY")" = "600 0" ] || fail "$KEY is not 0600 root's in the node layer"
	ssh-keygen -L -f "$T/layer$KEY-cert.pub" >"$T/cert.txt" || fail "no host certificate"
	cat "$T/out/base.img" "$T/out/$NODE/node.img" >"$T/initrd.img"
}
build
grep -q 'host certificate' "$T/cert.txt" && grep -qx "                $NODE" "$T/cert.txt" ||
	{ cat "$T/cert.txt"; fail "not a host certificate for $NODE"; }
ca=$(grep '^@cert-authority ' "$T/out/known_hosts" | cut -d' ' -f3,4)
[ "$(ssh-keygen -lf <(echo "$ca") | cut -d' ' -f2)" = "$(sed -n 's/.*Signing CA: [A-Z0-9]* \([^ ]*\).*/\1/p' "$T/cert.txt")" ] ||
	fail "the certificate is not signed by known_hosts' @cert-authority"
sed -n 's/^ *\(Type\|Signing CA\|Valid\):/host certificate: &/p' "$T/cert.txt"
cp -r "$T/layer" "$T/layer.1"
cp "$T/out/known_hosts" "$T/known_hosts.1"

grep -qx "Port $SSH_PORT" "$T/layer/etc/ssh/sshd_config" || fail "sshd_config does not listen on port $SSH_PORT"
ssh -G -F "$T/out/ssh_config" "$NODE" </dev/null 2>/dev/null | grep -qx "port $SSH_PORT" ||
	fail "ssh_config does not name port $SSH_PORT"

# PORT to the node's sshd; PORT22 to the guest's port 22, where nothing listens
PORT=$(free_port)
PORT22=$(free_port)
qemu_start vm -m 1536 -kernel "$T/out/$NODE/vmlinuz" -initrd "$T/initrd.img" \
	-append "$(cat "$T/out/$NODE/cmdline") paddock.shell" \
	-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$PORT-:$SSH_PORT,hostfwd=tcp:127.0.0.1:$PORT22-:22" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01 || fail "qemu did not start"
qemu_wait vm '^paddock: init ok [0-9.]+' 60 || fail "no init marker"
qemu_wait_services vm "$SERVICES"

# ssh as the operator runs it, from the directory that holds out/
nssh() { fwd_ssh "$PORT" "$@"; }
# "service sshd running" comes once sshd answers with its banner: the
# first try right after the line logs in
nssh "$NODE" true 2>"$T/first.log" || { cat "$T/first.log"; fail "ssh right after 'service sshd running'"; }
# nothing on the guest's port 22: sshd listens on the node's port alone
fwd_ssh "$PORT22" "$NODE" true 2>/dev/null && fail "sshd also answers on port 22"
echo "sshd on port $SSH_PORT (the node's port), not on 22"

# strict host key checking through the host certificate, no prompt
nssh -v "$NODE" 'echo logged-in-as-$(id -un)' >"$T/login.out" 2>"$T/login.log" ||
	{ cat "$T/login.log"; fail "ssh -F out/ssh_config $NODE"; }
grep -qx "logged-in-as-$USER_" "$T/login.out" || fail "not logged in as $USER_"
grep -E "Server host certificate|is known and matches|Found CA key" "$T/login.log" | sed 's/^/ssh: /'
grep -q "debug1: Host '$NODE' is known and matches the ED25519-CERT host certificate" "$T/login.log" ||
	fail "ssh did not accept the node by its host certificate"
ssh -G -F "$T/out/ssh_config" "$NODE" </dev/null 2>/dev/null | grep -qx 'stricthostkeychecking true' ||
	fail "ssh_config does not check host keys strictly"

# strict checking is real: no CA and no key, a foreign CA, a name not in the certificate
: >"$T/empty_known_hosts"
nssh -o UserKnownHostsFile="$T/empty_known_hosts" "$NODE" true 2>"$T/refused.log" &&
	fail "an unknown host key was accepted"
grep -q 'Host key verification failed' "$T/refused.log" || { cat "$T/refused.log"; fail "no host key failure"; }
ssh-keygen -q -t ed25519 -N '' -f "$T/other_ca" || fail "ssh-keygen"
echo "@cert-authority $NODE $(cat "$T/other_ca.pub")" >"$T/other_known_hosts"
nssh -o UserKnownHostsFile="$T/other_known_hosts" "$NODE" true 2>/dev/null &&
	fail "a certificate from another CA was accepted"
echo "@cert-authority not-a-node $ca" >"$T/alias_known_hosts"
nssh -o UserKnownHostsFile="$T/alias_known_hosts" -o HostKeyAlias=not-a-node "$NODE" true 2>/dev/null &&
	fail "the certificate was accepted for a name it does not list"
echo "strict host key checking: refused without the CA, with another CA, under another name"

# keys only: no password, no keyboard-interactive, no root
nssh -v -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
	"$NODE" true 2>"$T/password.log" && fail "login without the key"
tr -d '\r' <"$T/password.log" | grep -q 'Authentications that can continue: publickey$' ||
	{ grep -i authentic "$T/password.log"; fail "sshd offers more than publickey"; }
nssh -l root "$NODE" true 2>/dev/null && fail "root logged in"
echo "password, keyboard-interactive and root refused"

# what the user may do: paddockctl, and nothing of root's
status=$(nssh "$NODE" paddockctl status) || fail "paddockctl status as $USER_"
echo "$status" | grep -qE '^sshd +running' || { echo "$status"; fail "paddockctl status: no sshd"; }
nssh "$NODE" id | grep -q 'groups=.*(paddockctl)' || fail "$USER_ is not in group paddockctl"
nssh "$NODE" cat /etc/shadow >/dev/null 2>&1 && fail "$USER_ reads /etc/shadow"
nssh "$NODE" cat /etc/ssh/ssh_host_ed25519_key >/dev/null 2>&1 && fail "$USER_ reads the host key"
nssh "$NODE" test -e /run/system-docker.sock && fail "System Docker's socket is in the sshd container"
nssh "$NODE" 'echo x >/run/paddock/x' 2>/dev/null && fail "$USER_ writes into /run/paddock"
echo "$USER_ runs paddockctl; no shadow, host key or Docker socket"

# sshd -T in the guest: a root shell on the console enters sshd's
# container (its mount namespace) and runs it there; what it prints goes
# to /etc/ssh (the node's, which the container mounts) and comes back over
# SSH, since the console transcript may repeat a character now and then
qemu_console vm 'nsenter -t "$(pidof sshd | tr " " "\n" | sort -n | head -n 1)" -m /usr/sbin/sshd -T >/etc/ssh/sshd-T.out 2>&1; r=$?; chmod 0644 /etc/ssh/sshd-T.out; echo "sshd-T-done $r"'
qemu_wait vm '^sshd-T-done' 60 >/dev/null || fail "sshd -T did not run in the guest"
tr -d '\r' <"$(qemu_log vm)" | grep -aq '^sshd-T-done 0$' || fail "sshd -T failed in the guest"
nssh "$NODE" cat /etc/ssh/sshd-T.out >"$T/sshd-T" || fail "reading sshd -T's output"
[ -s "$T/sshd-T" ] || fail "sshd -T printed nothing"
for want in "passwordauthentication no" "kbdinteractiveauthentication no" "permitemptypasswords no" \
	"permitrootlogin no" "maxauthtries 3" "x11forwarding no" "allowagentforwarding no" \
	"allowtcpforwarding no" "allowstreamlocalforwarding no" "permittunnel no" "usepam no" \
	"allowusers $USER_" "authorizedkeysfile /etc/ssh/authorized_keys/%u" \
	"hostkey /etc/ssh/ssh_host_ed25519_key" "hostcertificate /etc/ssh/ssh_host_ed25519_key-cert.pub" \
	"pubkeyauthentication yes" "authenticationmethods publickey" \
	"kexalgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org" \
	"hostkeyalgorithms ssh-ed25519-cert-v01@openssh.com,ssh-ed25519" \
	"ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr" \
	"macs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com"; do
	grep -qxF "$want" "$T/sshd-T" || { cat "$T/sshd-T"; fail "sshd -T: no '$want'"; }
done
grep -E '^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin|maxauthtries|allowusers|x11forwarding|allowagentforwarding|allowtcpforwarding|usepam|kexalgorithms|ciphers|macs|hostkeyalgorithms) ' \
	"$T/sshd-T" | sed 's/^/sshd -T: /'

# ssh-audit from the host: no failure (its warnings are listed)
ssh-audit -n -p "$PORT" 127.0.0.1 >"$T/audit.log" 2>&1
rc=$?
sed 's/^/ssh-audit: /' "$T/audit.log"
grep -q '^(kex) ' "$T/audit.log" || fail "ssh-audit did not reach sshd (exit $rc)"
grep -q '\[fail\]' "$T/audit.log" && fail "ssh-audit reports a failure"
# its exit status: 0 good, 2 warnings only, 3 a failure, 1 no connection
[ "$rc" = 0 ] || [ "$rc" = 2 ] || fail "ssh-audit exit status $rc"
echo "ssh-audit: exit $rc, no failure, $(grep -c '\[warn\]' "$T/audit.log") warning(s):"
grep '\[warn\]' "$T/audit.log" | sed 's/^/ssh-audit warning: /'

qemu_powerdown_clean vm

# the same state file: the same host key, certificate and known_hosts
build
for f in "$KEY" "$KEY.pub" "$KEY-cert.pub"; do
	cmp -s "$T/layer.1$f" "$T/layer$f" || fail "the rebuilt node has another $f"
done
cmp -s "$T/known_hosts.1" "$T/out/known_hosts" || fail "known_hosts changed with the rebuild"
echo "rebuild from the same state file: the same host key, certificate and known_hosts"
echo "PASS: ssh: strict host certificates, keys only, sshd -T, ssh-audit"
