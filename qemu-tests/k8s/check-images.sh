#!/usr/bin/env bash
# qemu-tests/k8s/check-images.sh OUTDIR: runs what the Kubernetes test
# images (qemu-tests/k8s-images.sh) carry, each image's layers unpacked into
# a scratch root and its programs run there with chroot, in a network
# namespace of its own (unshare -n: only its loopback, which it brings up;
# unshare -p: whatever it leaves running ends with it;
# the host's network is not touched).  Needs root, jq, curl, unshare.
set -euo pipefail
OUT=$1
W=$(mktemp -d "${TMPDIR:-/tmp}/paddock-k8s-check.XXXXXX")
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

# unpack NAME: the image of OUTDIR/NAME.tar into W/NAME (every layer, in order)
unpack() {
	local a=$W/$1.a r=$W/$1 l
	mkdir -p "$a" "$r"
	tar -xf "$OUT/$1.tar" -C "$a"
	for l in $(jq -r '.[0].Layers[]' "$a/manifest.json"); do tar -xf "$a/$l" -C "$r"; done
	jq -r '.[0].Config' "$a/manifest.json" | (read -r c && cp "$a/$c" "$W/$1.json")
	rm -rf "$a"
}
# inside NAME CMD...: CMD inside the image's root, with /proc and /dev mounted
inside() {
	local r=$W/$1
	shift
	unshare -m -n -p -f --kill-child sh -c 'ip link set lo up 2>/dev/null || true
		mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && exec chroot "$0" "$@"' "$r" "$@"
}
for n in kubernetes pause nginx-proxy httpd; do unpack "$n"; mkdir -p "$W/$n/proc" "$W/$n/dev"; done

# kubernetes: every component, and the programs they run, start and answer
for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
	v=$(inside kubernetes "$c" --version) || fail "$c --version"
	[ "$v" = "Kubernetes v1.20.2" ] || fail "$c --version says '$v'"
done
inside kubernetes kubectl version --client --short | grep -q 'v1.20.2' || fail "kubectl version"
ok "kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl: v1.20.2"
inside kubernetes iptables --version | grep -q 'nf_tables' || fail "iptables is not the nf_tables backend"
inside kubernetes ip6tables --version | grep -q 'nf_tables' || fail "ip6tables is not the nf_tables backend"
inside kubernetes ebtables --version | grep -q 'nf_tables' || fail "ebtables is not the nf_tables backend"
# in the namespace of its own: a rule written and read back
inside kubernetes sh -c 'iptables -w -t nat -N KUBE-TEST && iptables -w -t nat -A KUBE-TEST -p tcp --dport 80 \
	-m comment --comment paddock-test -j RETURN && iptables-save -t nat' | grep -q 'paddock-test' ||
	fail "iptables rule not read back by iptables-save"
inside kubernetes sh -c 'printf "*filter\n:KUBE-T - [0:0]\n-A KUBE-T -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n" |
	iptables-restore --noflush && ip6tables-save >/dev/null && iptables-save -t filter' | grep -q 'ctstate INVALID' ||
	fail "iptables-restore (conntrack match)"
ok "iptables, ip6tables, ebtables (nf_tables), iptables-save/-restore with comment and conntrack matches"
inside kubernetes conntrack --version | grep -q 'conntrack v1' || fail "conntrack --version"
inside kubernetes ipset --version | grep -q 'ipset v7' || fail "ipset --version"
inside kubernetes socat -V | grep -q 'socat version' || fail "socat -V"
inside kubernetes ethtool --version | grep -q 'ethtool version' || fail "ethtool --version"
inside kubernetes modprobe --version | grep -q 'kmod version' || fail "modprobe --version"
inside kubernetes mount --version | grep -q 'util-linux' || fail "mount --version"
inside kubernetes umount --version | grep -q 'util-linux' || fail "umount --version"
inside kubernetes nsenter --version | grep -q 'util-linux' || fail "nsenter --version"
inside kubernetes sh -c 'test -s /etc/ssl/certs/ca-certificates.crt && ls / && du -s /etc && find /etc -name passwd' |
	grep -q /etc/passwd || fail "shell, CA bundle, du, find"
ok "conntrack, ipset, socat, ethtool, modprobe, mount, umount, nsenter, sh, CA bundle"

# pause: the entrypoint, running until a signal ends it
[ "$(jq -c .config.Entrypoint "$W/pause.json")" = '["/pause"]' ] || fail "pause's entrypoint"
unshare -p -f sh -c 'chroot "$0" /pause 2>/dev/null & p=$!; sleep 0.5; kill -0 $p || exit 1; kill -TERM $p; wait $p
	[ $? -lt 128 ]' "$W/pause" || fail "pause did not stay up, or did not end on SIGTERM"
ok "pause: entrypoint /pause, runs until SIGTERM"

# nginx-proxy: its config passes nginx -t, and it proxies 127.0.0.1:6443 to
# a CP_HOST:6443 (a busybox httpd on 127.0.0.2:6443 standing in)
inside nginx-proxy sh -c 'CP_HOSTS=10.0.0.11,10.0.0.12 nginx-proxy --config-only && cat /etc/nginx/nginx.conf && nginx -t' \
	>"$W/nginx.out" 2>&1 || { cat "$W/nginx.out"; fail "nginx -t"; }
grep -q 'server 10.0.0.12:6443;' "$W/nginx.out" && grep -q 'listen 127.0.0.1:6443;' "$W/nginx.out" &&
	grep -q 'test is successful' "$W/nginx.out" || { cat "$W/nginx.out"; fail "nginx-proxy config"; }
cp -a "$W/httpd/bin/busybox" "$W/nginx-proxy/bin/busybox.httpd"
page=$(inside nginx-proxy sh -c 'mkdir -p /tmp/www && echo through-the-proxy >/tmp/www/index.html &&
	busybox.httpd httpd -p 127.0.0.2:6443 -h /tmp/www && (CP_HOSTS=127.0.0.2 nginx-proxy >/tmp/nginx.log 2>&1 &) &&
	for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://127.0.0.1:6443/ 2>/dev/null && exit 0; sleep 0.3; done;
	cat /tmp/nginx.log; exit 1') || fail "nginx-proxy does not proxy: $page"
[ "$page" = through-the-proxy ] || fail "nginx-proxy answered '$page'"
ok "nginx-proxy: nginx -t passes; 127.0.0.1:6443 reaches CP_HOSTS:6443"

# httpd: its command serves a page naming the host, answered over loopback by curl
[ "$(jq -c .config.Cmd "$W/httpd.json")" = '["/usr/bin/httpd-page"]' ] || fail "httpd's cmd"
page=$(unshare -m -n -u -p -f sh -c 'ip link set lo up; hostname web-0; mount -t proc proc "$0/proc";
	chroot "$0" /usr/bin/httpd-page & for i in 1 2 3 4 5 6 7 8 9 10; do
		curl -fsS http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.3; done; exit 1' "$W/httpd") ||
	fail "httpd does not answer"
[ "$page" = "paddock-test httpd on web-0" ] || fail "httpd page '$page'"
for a in sh wget ping hostname; do [ -L "$W/httpd/bin/$a" ] || fail "httpd: no $a applet"; done
ok "httpd: curl gets '$page'; sh, wget, ping applets"
