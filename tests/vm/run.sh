#!/bin/bash
# make check-vm: pam_nsiso on a booted Debian 12 with systemd, logind,
# pam_systemd and cgroup v2, in qemu.
#
#   1 build or reuse the cached image (tests/vm/build-image.sh)
#   2 boot it on a throwaway qcow2 overlay: KVM when /dev/kvm runs the guest,
#     TCG otherwise; user-mode networking with only 127.0.0.1:PORT -> 22
#     forwarded (restrict=on: the guest reaches nothing)
#   3 copy the built tree in over ssh, `make install` there
#   4 tests/vm/guest-checks.sh inside (it also runs tests/integration/run.sh)
#   4b the Debian package: make deb here, and the previous release's
#      package (tests/package/previous_release.sh), both while step 4
#      runs; tests/vm/package-checks.sh inside with them (install, enable,
#      remove with a live environment, purge, then an upgrade from the
#      previous release with a live environment), then make install again
#      for step 5
#   4c the Ansible role (conf/ansible) from here against the guest, with
#      Debian's ansible-core over ssh: tests/vm/ansible-checks.sh
#   5 power the guest off with an environment alive, time it
# Every wait is bounded; qemu and the temp dir go on any exit.
#
# Usage (root): tests/vm/run.sh        (the Makefile passes PAMDIR)
# Environment:  NSISO_VM_SUITE=system|all|none  which integration tests run
#                 in the guest (default system: see guest-checks.sh)
#               NSISO_VM_TIMEOUT=SECONDS  (the guest part; default 2100,
#                 2700 with NSISO_VM_SUITE=all)
#               NSISO_VM_ACCEL=tcg|kvm    force the accelerator
#               NSISO_VM_CACHE=DIR        image cache (/var/cache/nsiso-vm)
#               NSISO_VM_PACKAGE=0        leave out the Debian package (steps
#                 4b and 4c; on by default; it adds 900 s to the guest's time
#                 limit)
#               NSISO_VM_GUEST=0          leave out step 4 (guest-checks.sh
#                 and the suite), to work on the steps after it
# Last line: "vm: N passed, M failed".
set -u
export LC_ALL=C

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SUITE=${NSISO_VM_SUITE:-system}
case $SUITE in system | all | none) ;; *) echo "NSISO_VM_SUITE: system, all or none" >&2; exit 2 ;; esac
if [ "$SUITE" = all ]; then VM_TIMEOUT=${NSISO_VM_TIMEOUT:-2700}; else VM_TIMEOUT=${NSISO_VM_TIMEOUT:-2100}; fi
PACKAGE=${NSISO_VM_PACKAGE:-1}
case $PACKAGE in 0 | 1) ;; *) echo "NSISO_VM_PACKAGE: 0 or 1" >&2; exit 2 ;; esac
GUEST=${NSISO_VM_GUEST:-1}
case $GUEST in 0 | 1) ;; *) echo "NSISO_VM_GUEST: 0 or 1" >&2; exit 2 ;; esac
[ "$PACKAGE" = 1 ] && [ -z "${NSISO_VM_TIMEOUT:-}" ] && VM_TIMEOUT=$((VM_TIMEOUT + 900))
PASSED=0
FAILED=0
FAILED_NAMES=()
T_START=$(date +%s)

pass() { PASSED=$((PASSED + 1)); printf '  ok   %s\n' "$1"; }
fail() {
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$1")
	printf '  FAIL %s\n' "$1"
	[ -n "${2:-}" ] && printf '       %s\n' "$2"
	return 0
}
say() { printf 'check-vm: %s\n' "$*"; }
elapsed() { echo $(( $(date +%s) - $1 )); }

finish() {
	echo
	[ "$FAILED" -gt 0 ] && printf 'failed: %s\n' "${FAILED_NAMES[@]}"
	say "total $(elapsed "$T_START")s (image ${T_IMAGE:-?}s, boot ${T_BOOT:-?}s, guest ${T_GUEST:-?}s${T_PACKAGE:+, package ${T_PACKAGE}s}${T_ANSIBLE:+ of which Ansible ${T_ANSIBLE}s})"
	echo "vm: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

if [ "$(id -u)" != 0 ]; then
	echo "check-vm needs root (debootstrap, the image cache)" >&2
	exit 1
fi

# --- host tools -----------------------------------------------------------
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v qemu-img >/dev/null || missing+=(qemu-utils)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v ssh >/dev/null || missing+=(openssh-client)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
command -v python3 >/dev/null || missing+=(python3)
command -v ansible-playbook >/dev/null || missing+=(ansible-core)
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
		|| { fail "host tools installed (${missing[*]})"; finish; }
fi
PAMDIR=${PAMDIR:-$(pkg-config --variable=libdir pam 2>/dev/null || echo "/lib/$(gcc -print-multiarch)")/security}

# Long steps run in the background and are waited for: bash runs the
# INT/TERM trap (and so the clean-up) only between commands, and `wait` is
# one it interrupts.
TMP=$(mktemp -d /tmp/nsiso-vm.XXXXXX)
QEMU_PID=
WATCHDOG_PID=
BG_PIDS=()
stop_qemu() {
	[ -n "$QEMU_PID" ] || return 0
	if kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -TERM "$QEMU_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$QEMU_PID" 2>/dev/null
	fi
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID=
}
cleanup() {
	[ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
	# build-image.sh removes its own work directory on TERM; ssh and tail
	# end with qemu anyway.
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || continue
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	stop_qemu
	rm -rf "$TMP"
}
trap cleanup EXIT
# Interrupted (or killed by make's timeout): still clean up and say so on
# the original stdout, whatever a step had redirected.
exec 3>&1
trap 'fail "check-vm was interrupted" >&3; finish >&3' INT TERM HUP

# in_bg CMD...: run CMD in the background and wait for it; its status.
in_bg() {
	"$@" &
	BG_PIDS+=($!)
	wait $!
}

# part LABEL NAME LOG CMD...: run CMD in the background, shown as it comes,
# then add its last "NAME: N passed, M failed" line to the totals; its
# failures are listed with LABEL in front.
part() {
	local label=$1 name=$2 logf=$3 pid summary line
	shift 3
	: > "$logf"    # before tail opens it
	"$@" >> "$logf" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	# tail ends a moment after the checks.
	in_bg tail -n +1 --pid="$pid" -f "$logf"
	wait "$pid"
	summary=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$logf" | tail -1)
	if [ -n "$summary" ]; then
		set -- $summary
		PASSED=$((PASSED + $2))
		FAILED=$((FAILED + $4))
		while IFS= read -r line; do FAILED_NAMES+=("$label${line#failed: }"); done \
			< <(grep '^failed: ' "$logf")
	else
		fail "the $name checks ran to the end" "no summary line (timeout, or the guest died): $(tail -3 "$logf")"
	fi
}

# --- 1 the image ----------------------------------------------------------
t=$(date +%s)
if in_bg timeout 900 "$TOP/tests/vm/build-image.sh" > "$TMP/image"; then
	IMG=$(tail -1 "$TMP/image")
	T_IMAGE=$(elapsed "$t")
	pass "Debian 12 image ready (${T_IMAGE}s; kernel $(cat "$IMG/kernel-version"))"
else
	T_IMAGE=$(elapsed "$t")
	fail "Debian 12 image ready" "build-image.sh failed after ${T_IMAGE}s"
	finish
fi

# --- 2 boot ---------------------------------------------------------------
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# boot ACCEL SECONDS: start qemu on a fresh overlay; 0 once the kernel
# prints within SECONDS.
boot() {
	local accel=$1 window=$2 accel_args try
	case $accel in
	kvm) accel_args=(-accel kvm -cpu host) ;;
	*) accel_args=(-accel tcg,thread=multi -cpu max) ;;
	esac
	for try in 1 2 3; do
		stop_qemu
		rm -f "$TMP/overlay.qcow2" "$TMP/console.log"
		qemu-img create -q -f qcow2 -b "$IMG/root.img" -F raw "$TMP/overlay.qcow2" || return 1
		PORT=$(free_port)
		qemu-system-x86_64 -nodefaults -no-user-config -name nsiso-vm \
			"${accel_args[@]}" -smp 2 -m 2048 \
			-kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" \
			-append "root=/dev/vda rw console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 net.ifnames=0 panic=-1" \
			-drive "file=$TMP/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe" \
			-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$PORT-:22" \
			-device virtio-net-pci,netdev=n0,romfile= \
			-display none -monitor none -serial "file:$TMP/console.log" -no-reboot \
			>"$TMP/qemu.log" 2>&1 </dev/null &
		QEMU_PID=$!
		# The kernel's first line: within seconds under KVM, and under
		# TCG too. A /dev/kvm that cannot run a 64-bit guest (nested
		# virtualization without long mode) stops before it.
		for _ in $(seq $((window * 10))); do
			grep -q 'Linux version' "$TMP/console.log" 2>/dev/null && return 0
			kill -0 "$QEMU_PID" 2>/dev/null || break
			sleep 0.1
		done
		if ! kill -0 "$QEMU_PID" 2>/dev/null && grep -qi 'hostfwd\|address already in use' "$TMP/qemu.log"; then
			continue    # the port was taken meanwhile: another one
		fi
		return 1
	done
	return 1
}

. "$TOP/tests/vm/gssh.sh"

t=$(date +%s)
ACCEL=${NSISO_VM_ACCEL:-}
if [ -z "$ACCEL" ]; then
	ACCEL=tcg
	if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then ACCEL=kvm; fi
fi
# A /dev/kvm found unable to run the guest is remembered per host kernel.
KVM_VERDICT=${NSISO_VM_CACHE:-/var/cache/nsiso-vm}/kvm-unusable
if [ "$ACCEL" = kvm ] && [ -z "${NSISO_VM_ACCEL:-}" ] &&
	[ "$(cat "$KVM_VERDICT" 2>/dev/null)" = "$(uname -r)" ]; then
	say "/dev/kvm did not run the guest before on this kernel: TCG"
	ACCEL=tcg
fi
if [ "$ACCEL" = kvm ]; then
	if ! boot kvm 15; then
		say "/dev/kvm does not run the guest (the kernel printed nothing in 15 s): falling back to TCG"
		uname -r > "$KVM_VERDICT"
		ACCEL=tcg
		boot tcg 60 || true
	fi
else
	boot tcg 60 || true
fi
# From here on the whole guest part is bounded: the watchdog kills qemu,
# which ends any ssh in progress within ServerAlive's minute.
( trap 'kill "$s" 2>/dev/null; exit 0' TERM
  sleep "$VM_TIMEOUT" & s=$!
  wait "$s" || exit 0
  echo "check-vm: timed out after ${VM_TIMEOUT}s, killing qemu" >&2
  kill -KILL "$QEMU_PID" 2>/dev/null ) &
WATCHDOG_PID=$!

boot_limit=360
[ "$ACCEL" = kvm ] && boot_limit=120
limit=$(( $(date +%s) + boot_limit ))
up=
while [ "$(date +%s)" -lt "$limit" ] && kill -0 "$QEMU_PID" 2>/dev/null; do
	if gssh true 2>/dev/null; then up=1; break; fi
	sleep 2
done
T_BOOT=$(elapsed "$t")
if [ -n "$up" ]; then
	pass "the guest boots ($ACCEL) and answers on ssh at 127.0.0.1:$PORT (${T_BOOT}s)"
else
	fail "the guest boots ($ACCEL) and answers on ssh (${T_BOOT}s)" "qemu: $(tail -3 "$TMP/qemu.log" 2>/dev/null)"
	echo "--- guest console (last 30 lines) ---"
	tail -30 "$TMP/console.log" 2>/dev/null
	finish
fi
wait_running=$(gssh 'systemctl is-system-running --wait' 2>/dev/null)
say "guest: $(gssh 'uname -r; systemctl --version | head -1' 2>/dev/null | tr '\n' ' ')(${wait_running})"

# --- 3 copy and install ---------------------------------------------------
t=$(date +%s)
# build/musl holds nsiso-init's objects: without them make -q all would
# want musl-gcc, which the guest does not have.
if tar -C "$TOP" --exclude=./.git --exclude=./build/asan --exclude=./build/asan-bin \
	--exclude=./build/faults --exclude=./build/fuzz --exclude=./build/deb -czf - . |
	gssh 'rm -rf /root/nsiso && mkdir /root/nsiso && tar -xzf - -C /root/nsiso'; then
	pass "the built tree is copied into the guest"
else
	fail "the built tree is copied into the guest"
	finish
fi
# The guest has no compiler: the binaries built here (Debian 12 too) must
# be up to date, so that make install only installs.
if gssh 'cd /root/nsiso && make -q all'; then
	pass "the copied build is up to date (make -q all)"
else
	fail "the copied build is up to date (make -q all)" "run make on the host first"
fi
if out=$(gssh "cd /root/nsiso && make install PAMDIR='$PAMDIR'" 2>&1); then
	pass "make install in the guest"
else
	fail "make install in the guest" "$(printf '%s' "$out" | tail -5)"
	finish
fi

# --- 4 the checks ---------------------------------------------------------
# The packages for step 4b build meanwhile: this tree's and the previous
# release's (from its commit; both into $TMP/debs).
if [ "$PACKAGE" = 1 ]; then
	( env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" deb &&
	  mkdir -p "$TMP/debs" && cp "$TOP"/build/deb/pam-nsiso_*.deb "$TMP/debs/new.deb" &&
	  "$TOP/tests/package/previous_release.sh" "$TMP/debs/prev" ) > "$TMP/deb.log" 2>&1 &
	DEB_BUILD=$!
	BG_PIDS+=("$DEB_BUILD")
fi
t=$(date +%s)
if [ "$GUEST" = 1 ]; then
	part "" vm-guest "$TMP/guest.log" gssh "/root/nsiso/tests/vm/guest-checks.sh --suite=$SUITE"
fi
T_GUEST=$(elapsed "$t")

# --- 4b the Debian package (unless NSISO_VM_PACKAGE=0) -----------------------
# Built here (the guest has no compiler), installed, removed and purged
# there by tests/vm/package-checks.sh; then the tree is installed again
# for step 5.
if [ "$PACKAGE" = 1 ] && kill -0 "$QEMU_PID" 2>/dev/null; then
	t=$(date +%s)
	# (Started in step 4; bounded by the guest's time limit already.)
	if wait "$DEB_BUILD" && OLD_DEB=$(ls "$TMP"/debs/prev/pam-nsiso_*.deb 2>/dev/null) &&
		[ -f "$TMP/debs/new.deb" ]; then
		DEB=$TMP/debs/new.deb
		pass "make deb on the host, and the previous release's: ${OLD_DEB##*/} (waited $(elapsed "$t")s)"
		gssh 'cat > /root/pam-nsiso-previous.deb' < "$OLD_DEB" || fail "the previous release's .deb is copied into the guest"
		if gssh 'cat > /root/pam-nsiso.deb' < "$DEB"; then
			part "package: " vm-package "$TMP/package.log" \
				gssh 'timeout 900 /root/nsiso/tests/vm/package-checks.sh /root/pam-nsiso.deb /root/pam-nsiso-previous.deb'
		else
			fail "the .deb is copied into the guest"
		fi
		# 4c the Ansible role, from here against the guest, with the same
		# .deb (package-checks.sh left the guest without pam_nsiso).
		ta=$(date +%s)
		part "ansible: " vm-ansible "$TMP/ansible.log" \
			"$TOP/tests/vm/ansible-checks.sh" "$IMG" "$PORT" "$DEB"
		T_ANSIBLE=$(elapsed "$ta")
	else
		fail "make deb on the host, and the previous release's" "$(tail -5 "$TMP/deb.log")"
	fi
	if out=$(gssh "cd /root/nsiso && make install PAMDIR='$PAMDIR'" 2>&1); then
		pass "make install in the guest again, after the package checks"
	else
		fail "make install in the guest again, after the package checks" "$(printf '%s' "$out" | tail -5)"
	fi
	T_PACKAGE=$(elapsed "$t")
fi

# --- 5 power off with an environment alive ---------------------------------
# A live environment's init is in a cgroup of its own, outside every unit:
# systemd's shutdown must still end it without waiting out its timeouts.
if kill -0 "$QEMU_PID" 2>/dev/null; then
	gssh 'bash -s' <<'EOF' >/dev/null 2>&1
set -e
# Independent of what the checks before left: a usable /run/nsiso.
if [ -d /run/nsiso ]; then chown root:root /run/nsiso; chmod 0700 /run/nsiso; fi
echo 'session required pam_nsiso.so' >> /etc/pam.d/sshd
printf 'namespaces = mount uts ipc pid\nlinger = 600\n' > /etc/security/nsiso/user/vmt-zed.conf
id vmt-zed >/dev/null 2>&1 || useradd -m -s /bin/bash vmt-zed
install -d -m 0700 -o vmt-zed /home/vmt-zed/.ssh
rm -f /root/zed_key /root/zed_key.pub
ssh-keygen -q -t ed25519 -N '' -f /root/zed_key
install -m 0600 -o vmt-zed /root/zed_key.pub /home/vmt-zed/.ssh/authorized_keys
timeout 60 ssh -n -i /root/zed_key -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null vmt-zed@127.0.0.1 'nohup sleep 1000 >/dev/null 2>&1 &'
EOF
	live=$(gssh 'nsiso list --json' 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null)
	if [ "${live:-0}" -ge 1 ]; then pass "an environment is alive before poweroff"
	else fail "an environment is alive before poweroff"; fi
	t=$(date +%s)
	gssh 'systemctl poweroff' >/dev/null 2>&1
	for _ in $(seq 600); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.2; done
	took=$(elapsed "$t")
	if kill -0 "$QEMU_PID" 2>/dev/null; then
		fail "poweroff with a live environment ends the guest" "still running after ${took}s"
	elif [ "$took" -le 60 ]; then
		pass "poweroff with a live environment ends the guest (${took}s)"
	else
		fail "poweroff with a live environment ends the guest within 60s" "${took}s"
	fi
	# What systemd said while it went down (stop jobs that had to wait).
	sed -n '/Reached target.*[Ss]hutdown\|reboot: Power down/,$p' "$TMP/console.log" |
		grep -Ei 'stop job|timed out|killing|nsiso' | tail -5 | sed 's/^/  console: /'
fi
finish
