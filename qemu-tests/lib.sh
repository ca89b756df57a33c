# qemu-tests/lib.sh: the harness every QEMU test sources.
#
#   . qemu-tests/lib.sh
#   qemu_start vm1 -m 1024 -kernel K -initrd I -append "console=ttyS0"
#   qemu_wait vm1 'paddock: init ok' 60          # prints the seconds it took
#   qemu_qmp vm1 '{"execute":"system_powerdown"}'
#   qemu_console vm1 'uname -r'                  # a line typed on the console
#   qemu_wait_exit vm1 60
#
# Each guest's serial console is a unix socket with wait=on (QEMU does not
# start the guest until the harness connects, so nothing is lost) and a
# logfile; markers are whole lines printed by the image.  Guests and helpers
# are killed on exit.  Never KVM: it hangs on these machines.
set -u

QEMU=${QEMU:-qemu-system-x86_64}
# a QEMU_TMP given by the caller is the caller's: used, never removed
if [ -n "${QEMU_TMP:-}" ]; then QEMU_TMP_MADE=; else
	QEMU_TMP=$(mktemp -d "${TMPDIR:-/tmp}/paddock-qemu.XXXXXX") && QEMU_TMP_MADE=1
fi
declare -A QEMU_PID QEMU_T0
QEMU_HELPERS=()

qemu_cleanup() {
	local n
	for n in "${!QEMU_PID[@]}"; do
		kill "${QEMU_PID[$n]}" 2>/dev/null
	done
	for n in "${QEMU_HELPERS[@]}"; do
		kill "$n" 2>/dev/null
	done
	wait 2>/dev/null
	if [ -z "$QEMU_TMP_MADE" ]; then :
	elif [ -z "${KEEP_QEMU_TMP:-}" ]; then rm -rf "$QEMU_TMP"; else echo "kept $QEMU_TMP" >&2; fi
}
trap qemu_cleanup EXIT

# A TCP port on 127.0.0.1 nobody listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }

# qemu_start NAME QEMU-ARGS...: boots a guest named NAME in the background.
qemu_start() {
	local name=$1 ser qmp i
	shift
	ser=$QEMU_TMP/$name.ser
	qmp=$QEMU_TMP/$name.qmp
	: >"$QEMU_TMP/$name.log"
	QEMU_T0[$name]=$(now)
	$QEMU -accel tcg,tb-size=256 -nodefaults -no-user-config -display none \
		-chardev "socket,id=ser0,path=$ser,server=on,wait=on,logfile=$QEMU_TMP/$name.log" \
		-serial chardev:ser0 \
		-qmp "unix:$qmp,server=on,wait=off" \
		"$@" >"$QEMU_TMP/$name.qemu.out" 2>&1 &
	QEMU_PID[$name]=$!
	for i in $(seq 1 100); do
		[ -S "$ser" ] && break
		kill -0 "${QEMU_PID[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -S "$ser" ]; then
		echo "qemu_start $name: QEMU did not start:" >&2
		cat "$QEMU_TMP/$name.qemu.out" >&2
		return 1
	fi
	# Reading the console starts the guest; the logfile keeps the transcript.
	# The socket file exists before QEMU listens on it: a refused connect is
	# retried, or the guest would wait for a reader forever.  What
	# qemu_console appends to NAME.in is typed into the console.
	: >"$QEMU_TMP/$name.in"
	socat STDIO,ignoreeof "UNIX-CONNECT:$ser,retry=100,interval=0.1" <"$QEMU_TMP/$name.in" >/dev/null \
		2>"$QEMU_TMP/$name.socat.err" &
	QEMU_HELPERS+=("$!")
	QEMU_T0[$name]=$(now)
}

# qemu_console NAME LINE: types LINE (and Enter) on the guest's serial
# console: a root shell there when the node allows a debug shell and the
# kernel command line has paddock.shell.  After LINE the shell becomes a
# loop that runs each line it reads with no prompt and no echo: an
# interactive shell's prompt, left without a newline, would start the next
# console line and hide it from the tests' '^paddock: ...' patterns.
QEMU_CONSOLE_LOOP='exec sh -c '\''stty -echo; while read -r l; do eval "$l"; done'\'
qemu_console() { printf '%s; %s\n' "$2" "$QEMU_CONSOLE_LOOP" >>"$QEMU_TMP/$1.in"; }

# qemu_log NAME: path of the guest's console transcript.
qemu_log() { echo "$QEMU_TMP/$1.log"; }

# qemu_elapsed NAME: seconds since the guest was powered on.
qemu_elapsed() { echo "$(now) ${QEMU_T0[$1]}" | awk '{printf "%.1f", $1 - $2}'; }

# qemu_wait NAME REGEX TIMEOUT: waits for a console line matching REGEX
# (grep -E); prints "NAME: REGEX after N s".  On timeout or guest exit,
# prints the end of the console and returns 1.
qemu_wait() {
	local name=$1 re=$2 timeout=$3 log deadline
	log=$QEMU_TMP/$name.log
	deadline=$(( $(date +%s) + timeout ))
	while :; do
		if tr -d '\r' <"$log" | grep -qE -- "$re"; then
			echo "$name: '$re' after $(qemu_elapsed "$name") s"
			return 0
		fi
		if ! kill -0 "${QEMU_PID[$name]}" 2>/dev/null; then
			echo "$name: guest exited before '$re'; console tail:" >&2
			tail -n 40 "$log" >&2
			cat "$QEMU_TMP/$name.qemu.out" >&2
			return 1
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "$name: no '$re' within ${timeout}s; console tail:" >&2
			tail -n 40 "$log" >&2
			cat "$QEMU_TMP/$name.qemu.out" "$QEMU_TMP/$name.socat.err" >&2 2>/dev/null
			return 1
		fi
		sleep 0.2
	done
}

# qemu_qmp NAME JSON...: sends QMP commands (after the capabilities
# handshake) and prints the replies.
qemu_qmp() {
	local name=$1
	shift
	{
		echo '{"execute":"qmp_capabilities"}'
		for c in "$@"; do echo "$c"; sleep 0.2; done
		sleep 0.3
	} | socat - "UNIX-CONNECT:$QEMU_TMP/$name.qmp"
}

# qemu_wait_exit NAME TIMEOUT: waits for the QEMU process to end.
qemu_wait_exit() {
	local name=$1 timeout=$2 deadline
	deadline=$(( $(date +%s) + timeout ))
	while kill -0 "${QEMU_PID[$name]}" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "$name: still running after ${timeout}s" >&2
			return 1
		fi
		sleep 0.2
	done
	wait "${QEMU_PID[$name]}" 2>/dev/null
	unset "QEMU_PID[$name]"
	echo "$name: exited after $(qemu_elapsed "$name") s"
}

# qemu_stop NAME: kills a guest now.
qemu_stop() {
	kill "${QEMU_PID[$1]}" 2>/dev/null
	wait "${QEMU_PID[$1]}" 2>/dev/null
	unset "QEMU_PID[$1]"
}

# qemu_wait_services NAME "SVC...": waits for System Docker, each service
# running and the services stage; fails on any FAILED stage on the way.
qemu_wait_services() {
	local name=$1 s
	qemu_wait "$name" '^paddock: System Docker ready [0-9.]+' 180 || fail "System Docker not ready"
	# (anywhere in a line: a test that types on the console meanwhile sees
	# its own echoed command run into the next console line, no newline
	# between them)
	for s in $2; do
		qemu_wait "$name" "paddock: service $s running [0-9.]+" 240 || fail "service $s not running"
	done
	qemu_wait "$name" 'paddock: services ok [0-9.]+' 30 || fail "services stage not ok"
	# The guests these tests boot have no disk, while the examples name
	# /dev/vda as the state disk: the node says so and runs from RAM, which
	# is right here (test_etcd_ha and test_snapshots give their guests
	# disks).  A test that makes a stage fail on purpose names its lines
	# in QEMU_EXPECTED_FAILED (grep -E).  Any other failed stage fails the
	# test.
	if tr -d '\r' <"$(qemu_log "$name")" | grep -a '^paddock: .*FAILED' |
		grep -av '^paddock: state-disk FAILED: [^ ]*: boot.state_disk names no device here; running from RAM' |
		grep -avE "${QEMU_EXPECTED_FAILED:-^\$}"; then
		fail "a stage failed on the way"
	fi
}

# qemu_powerdown_clean NAME...: presses the ACPI power button of each guest
# (all at once) and waits for init to stop the services, unmount and power
# off, each step bounded.
qemu_powerdown_clean() {
	local name t0
	t0=$(date +%s)
	for name in "$@"; do
		qemu_qmp "$name" '{"execute":"system_powerdown"}' >/dev/null
	done
	for name in "$@"; do
		qemu_wait "$name" '^paddock: power button pressed' 20 || fail "$name: power button not seen"
		qemu_wait "$name" '^paddock: services stopped ok' 60 || fail "$name: services not stopped cleanly"
		qemu_wait "$name" '^paddock: unmount ok' 20 || fail "$name: file systems not unmounted"
		qemu_wait_exit "$name" 30 || fail "$name: guest did not power off"
	done
	echo "clean power-off in $(( $(date +%s) - t0 )) s"
}

# qemu_boot_node OUT NODE INITRD MAC [restrict=off]: boots node NODE of the
# build in OUT (its kernel and command line) from INITRD as guest "vm", with
# MAC and its SSH port forwarded to 127.0.0.1:$PORT (PORT is set here);
# waits for init.  The guest reaches nothing (restrict=on: its role
# containers' pulls from Docker Hub never leave the machine) unless the
# test needs the host at 10.0.2.2 and says restrict=off.
qemu_boot_node() {
	PORT=$(free_port)
	qemu_start vm -m 1536 -kernel "$1/$2/vmlinuz" -initrd "$3" -append "$(cat "$1/$2/cmdline")" \
		-netdev "user,id=n0,${5:-restrict=on},hostfwd=tcp:127.0.0.1:$PORT-:22" \
		-device "virtio-net-pci,netdev=n0,mac=$4" || fail "qemu did not start"
	# ~20 s alone; a machine busy with other guests needs longer
	qemu_wait vm '^paddock: init ok [0-9.]+' 180 || fail "no init marker"
}

# expect_services_running "SVC...": `paddockctl status` in the guest (over
# the test's gssh) lists each service and System Docker running, none
# restarted.  STATUS keeps the text for the test's own checks.
expect_services_running() {
	local s
	STATUS=$(gssh paddockctl status) || fail "ssh + paddockctl status"
	echo "$STATUS" | sed 's/^/status: /'
	for s in $1; do
		echo "$STATUS" | grep -qE "^$s +running +0 " || fail "paddockctl status: $s not running"
	done
	echo "$STATUS" | grep -qE '^system-docker +running' || fail "paddockctl status: system-docker"
}

# fwd_ssh PORT NODE CMD...: ssh to NODE as out/ssh_config (under
# QEMU_TMP) says, host keys checked, through the host port PORT that QEMU
# forwards to the guest's port 22
fwd_ssh() {
	local port=$1
	shift
	(cd "$QEMU_TMP" && timeout 90 ssh -F out/ssh_config -o HostName=127.0.0.1 -o Port="$port" \
		-o BatchMode=yes -o ConnectTimeout=30 "$@")
}

fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: cannot be tested here; the runner counts a skip (exit 77), never a pass
skip() { echo "SKIP: $*"; exit 77; }

# with_etcdctl_env OUT CMD...: runs CMD in OUT (a build's output, whose
# etcd/etcdctl.env names the operator's client certificate by relative
# paths) with that file's variables exported; ETCDCTL_ENDPOINTS is dropped
# when CMD names --endpoints= itself (etcdctl 3.4 refuses both).
with_etcdctl_env() {
	local out=$1
	shift
	(cd "$out" && set -a && . etcd/etcdctl.env && set +a &&
		case " $* " in *" --endpoints="*) unset ETCDCTL_ENDPOINTS ;; esac &&
		"$@")
}
