#!/bin/bash
# What only a booted Debian 12 with systemd, logind, pam_systemd and cgroup
# v2 shows. Runs as root INSIDE the check-vm guest, from the copied tree,
# after `make install`; tests/vm/run.sh starts it. The guest is a throwaway
# overlay, but everything changed here is put back before the integration
# suite runs (it copies /etc/pam.d). Then tests/vm/directory-checks.sh:
# directory users from a real slapd and sssd, and what happens when the
# directory and then NSS fail.
#
# Usage: tests/vm/guest-checks.sh [--suite=system|all|none]
#   system (default): the integration tests about callers, sessions, jobs,
#   cgroups, teardown and networking (t_1* but t_17, which compiles and the
#   guest has no compiler; t_2*, t_4*, t_6*, t_87, t_90-t_94),
#   what a systemd host can change; all: every test (slow under TCG).
# Last line: "vm-guest: N passed, M failed".
set -u
export LC_ALL=C.UTF-8

TOP=$(cd "$(dirname "$0")/../.." && pwd)
# It rewrites /etc/pam.d, the policy and logind.conf and adds users: only in
# the throwaway guest that build-image.sh made.
if [ "$(cat /etc/hostname 2>/dev/null)" != nsiso-vm ] || [ "$(id -u)" != 0 ]; then
	echo "guest-checks.sh runs as root inside the check-vm guest only (make check-vm)" >&2
	exit 2
fi
SUITE=system
case ${1:-} in
--suite=system | --suite=all | --suite=none) SUITE=${1#--suite=} ;;
"") ;;
*) echo "usage: $0 [--suite=system|all|none]" >&2; exit 2 ;;
esac
# t_24 (the first hour: mosh, screen) is left out. Of t_46 (real clients)
# the guest runs what logind, pam_systemd and the system's own sshd and
# login could change: tmux and screen surviving logout, sudo, agent
# forwarding, and who inside; the file-copy clients, X11 and mosh behave
# as on the host and cost minutes under TCG.
SUITE_PATTERN='^t_(1[0-689]|2[0-35-9]|4[0-57-9]|46_(agent|tmux|sudo|who)|6[0-9]|87|9[0-4]|85_(time_ssh|caps_bounding_set|no_new_privs|userns_root))_?'

. "$TOP/tests/vm/lib.sh"

getv() { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -1; }
host_ns() { readlink "/proc/1/ns/$1"; }

ALICE=vmt-alice   # namespaces = mount uts ipc pid
BOB=vmt-bob       # namespaces = mount uts ipc (no PID namespace)
W=/root/vmt
KEY=$W/client_key
BG_PIDS=()

# A login's view of itself, one key=value a line.
SNAP='echo mnt=$(readlink /proc/self/ns/mnt)
echo uts=$(readlink /proc/self/ns/uts)
echo ipc=$(readlink /proc/self/ns/ipc)
echo pid=$(readlink /proc/self/ns/pid)
echo host=$(hostname)
echo shellpid=$$
echo users=$(ps -eo user= | sort -u | tr "\n" " ")
echo rootprocs=$(ps -o pid=,comm= -u root | tr -s " " | tr "\n" ";")
echo tmp=$(findmnt -n -o FSTYPE,SOURCE /tmp | tr -s " ")
echo sid=${XDG_SESSION_ID:-}
echo loginuid=$(cat /proc/self/loginuid)
echo cgroup=$(cut -d: -f3 /proc/self/cgroup)
echo ns=$(readlink /proc/self/ns/mnt /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/pid | tr "\n" " ")'

# ssh_as USER CMD...: a real login through the guest's sshd.service and
# Debian's /etc/pam.d/sshd with pam_nsiso appended. SSH_TIMEOUT bounds it.
ssh_as() {
	local user=$1
	shift
	timeout "${SSH_TIMEOUT:-90}" ssh -n -q -i "$KEY" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20 \
		"$user@127.0.0.1" "$@" 2>/dev/null
}

# hold USER NAME SECONDS: a login that stays (its shell execs "sleep SECONDS",
# a number that names it). Sets HOLD_SID to its logind session id.
hold() {
	rm -f "/home/$1/$2.sid" "/home/$1/$2.mnt"
	SSH_TIMEOUT=1500 ssh_as "$1" "echo \$XDG_SESSION_ID > ~/$2.sid; readlink /proc/self/ns/mnt > ~/$2.mnt; exec sleep $3" \
		>/dev/null &
	BG_PIDS+=($!)
	wait_for 60 test -s "/home/$1/$2.mnt" || log "login $2 of $1 did not start"
	HOLD_SID=$(cat "/home/$1/$2.sid" 2>/dev/null)
}

# hostpid USER SECONDS: the host pid of that user's "sleep SECONDS".
hostpid() { pgrep -u "$1" -x -f "sleep $2" | head -1; }
alive() { [ -n "$(hostpid "$1" "$2")" ]; }
gone() { [ -z "$(hostpid "$1" "$2")" ]; }

init_pid_of() {
	nsiso list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["user"] == sys.argv[1]:
        print(e["init_pid"])' "$1"
}
# env_procs USER: every process in the user's PID namespace, as the host
# sees it (pid, cgroup, command): what keeps an environment alive.
env_procs() {
	local init ns p
	init=$(init_pid_of "$1")
	[ -n "$init" ] || return 0
	ns=$(readlink "/proc/$init/ns/pid")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
		printf '%s %s %s; ' "${p#/proc/}" "$(cut -d: -f3 "$p/cgroup" 2>/dev/null)" \
			"$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | head -c 80)"
	done
}
# env_ns USER: the environment's namespaces as readlink shows them.
env_ns() {
	nsiso list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["user"] == sys.argv[1]:
        n = e["namespaces"]
        print(" ".join("%s:[%d]" % (k, n[k]) for k in ("mnt", "uts", "ipc", "pid")))' "$1"
}
# expect_joined VIA OUTPUT: the login is in all four of alice's namespaces.
expect_joined() {
	expect_eq "$1: in the environment's mount, UTS, IPC and PID namespaces" \
		"$(env_ns "$ALICE")" "$(getv ns "$2" | sed 's/ *$//')"
}
env_gone() { [ -z "$(init_pid_of "$1")" ]; }
session_state() { loginctl show-session "$1" -p State --value 2>/dev/null; }
# session_props SID PROP...: the values, in the order asked, on one line.
session_props() {
	local sid=$1 p out=
	shift
	for p in "$@"; do out="$out $(loginctl show-session "$sid" -p "$p" --value 2>/dev/null)"; done
	printf '%s' "${out# }"
}
session_absent() { ! loginctl show-session "$1" -p State --value >/dev/null 2>&1; }

backup() { local f; for f in "$@"; do [ -e "$W/orig/$f" ] || { mkdir -p "$W/orig/$(dirname "$f")"; cp -a "$f" "$W/orig/$f"; }; done; }

restore_system() {
	local f
	[ -d "$W/orig" ] || return 0
	(cd "$W/orig" && find . -type f) | while read -r f; do cp -a "$W/orig/$f" "/${f#./}"; done
	rm -f /etc/systemd/logind.conf.d/vmt.conf
	rm -rf /etc/security/nsiso/user/$ALICE.conf /etc/security/nsiso/user/$BOB.conf
}

cleanup() {
	set +e
	local p u
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	crontab -u "$ALICE" -r 2>/dev/null
	tmux -L vmt kill-server 2>/dev/null
	systemctl stop vmt-login.scope 2>/dev/null
	for u in "$ALICE" "$BOB"; do
		nsiso stop "$u" >/dev/null 2>&1
		loginctl terminate-user "$u" 2>/dev/null
		pkill -KILL -u "$u" 2>/dev/null
	done
	umount /srv/vmt-late 2>/dev/null
	if [ -e /etc/systemd/logind.conf.d/vmt.conf ]; then
		rm -f /etc/systemd/logind.conf.d/vmt.conf
		systemctl restart systemd-logind
	fi
	nsiso disable >/dev/null 2>&1
	restore_system
	sleep 0.5
	for u in "$ALICE" "$BOB"; do userdel -r "$u" >/dev/null 2>&1; done
	BG_PIDS=()
}

# --------------------------------------------------------------------------
section "the test bed is a production-like Debian 12"
expect_eq "PID 1 is systemd" "systemd" "$(cat /proc/1/comm)"
state=$(systemctl is-system-running 2>/dev/null)
expect_match "the system is up (systemctl is-system-running)" "^(running|degraded)$" "$state"
[ "$state" = degraded ] && log "failed units: $(systemctl --failed --no-legend | tr -s ' ' | tr '\n' ';')"
expect_eq "cgroup v2 only (unified hierarchy)" "cgroup2fs" "$(stat -fc %T /sys/fs/cgroup)"
expect_eq "/ is a shared mount, as systemd makes it" "shared" "$(findmnt -n -o PROPAGATION /)"
expect_match "the stock common-session runs pam_systemd" "^session.*pam_systemd\.so" "$(cat /etc/pam.d/common-session)"
expect_match "the stock sshd stack runs pam_loginuid" "^session.*pam_loginuid\.so" "$(cat /etc/pam.d/sshd)"
expect_match "the stock cron stack runs pam_loginuid" "^session.*pam_loginuid\.so" "$(cat /etc/pam.d/cron)"
expect_eq "pam_nsiso.so is installed by make install" "yes" \
	"$([ -e /usr/lib/x86_64-linux-gnu/security/pam_nsiso.so ] && echo yes)"
expect_eq "make install: the helper root's without setuid, nsiso-enter and nsiso-shell setuid root" \
	"755 root 4755 root 4755 root" \
	"$(stat -c '%a %U' /usr/libexec/nsiso/nsiso-helper /usr/libexec/nsiso/nsiso-enter /usr/libexec/nsiso/nsiso-shell | tr '\n' ' ' | sed 's/ $//')"
# A kernel fact, not an assertion: cloning a part of a detached mount
# (fsmount + open_tree CLONE) fails with EINVAL on older kernels, which is
# why the helper attaches fresh mounts on a staging point first
# (root/nsiso-helper/detached.c); the network tests below prove that path.
clone=$(python3 - <<'PY' 2>&1
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
sc = libc.syscall
sc.restype = ctypes.c_long
assert libc.unshare(0x00020000 | 0x40000000) == 0       # CLONE_NEWNS | CLONE_NEWNET
fs = sc(430, b"sysfs", 1)                                # fsopen
assert fs >= 0 and sc(431, fs, 6, None, None, 0) == 0    # fsconfig CMD_CREATE
mnt = sc(432, fs, 1, 1)                                  # fsmount, read-only
assert mnt >= 0
t = sc(428, mnt, b"class/net", 1 | 0o2000000)            # open_tree CLONE|CLOEXEC
print("works" if t >= 0 else os.strerror(ctypes.get_errno()))
PY
)
log "kernel $(uname -r): open_tree(OPEN_TREE_CLONE) of a detached sysfs mount: $clone (the helper stages it)"

# --------------------------------------------------------------------------
section "set-up: nsiso enable (every entry path); a policy"
mkdir -p "$W"
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
backup /etc/pam.d/sshd /etc/pam.d/login /etc/pam.d/su-l /etc/pam.d/runuser-l \
	/etc/pam.d/cron /etc/pam.d/atd /etc/security/nsiso/default.conf
cat > /etc/security/nsiso/default.conf <<'EOF'
namespaces = mount uts ipc pid
hostname = %u-box
tmpfs = /tmp
tmpfs = /dev/shm size=16m
linger = 0
EOF
install -d -m 0755 /etc/security/nsiso/user
cat > "/etc/security/nsiso/user/$BOB.conf" <<'EOF'
namespaces = mount uts ipc
hostname = %u-box
tmpfs = /tmp
linger = 0
EOF
expect_eq "nsiso check: the policy is clean" "0" "$(nsiso check >/dev/null 2>&1; echo $?)"
out=$(nsiso check --pam 2>&1)
expect_eq "nsiso check --pam fails before enable: isolated users have uncovered paths" "1" \
	"$(nsiso check --pam >/dev/null 2>&1; echo $?)"
expect_match "and names the user manager as not covered" "[Uu]ser manager.*NOT covered|NOT covered.*[Uu]ser manager" "$out"
out=$(nsiso enable 2>&1)
rc=$?
expect_eq "nsiso enable succeeds" "0" "$rc"
[ "$rc" = 0 ] || log "$out"
for s in sshd login su-l runuser-l cron atd; do
	expect_match "nsiso enable: pam_nsiso is the last session line of /etc/pam.d/$s" "pam_nsiso\.so" \
		"$(grep -E '^[[:space:]]*-?session' "/etc/pam.d/$s" | tail -1)"
done
expect_match "nsiso enable: the user@.service drop-in is in force" "nsiso-enter manager" \
	"$(systemctl cat user@1000.service 2>/dev/null)"
out=$(nsiso check --pam 2>&1)
expect_eq "nsiso check --pam passes after enable" "0" "$?"
log "$(printf '%s' "$out" | tr '\n' ';' | head -c 600)"
sum_before=$(md5sum /etc/pam.d/* | md5sum)
nsiso enable >/dev/null 2>&1
expect_eq "a second nsiso enable changes nothing" "0 $sum_before" "$? $(md5sum /etc/pam.d/* | md5sum)"
rm -f "$KEY" "$KEY.pub"
ssh-keygen -q -t ed25519 -N '' -f "$KEY"
for u in "$ALICE" "$BOB"; do
	userdel -r "$u" >/dev/null 2>&1
	useradd -m -s /bin/bash "$u"
	install -d -m 0700 -o "$u" -g "$u" "/home/$u/.ssh"
	install -m 0600 -o "$u" -g "$u" "$KEY.pub" "/home/$u/.ssh/authorized_keys"
done
AUID=$(id -u "$ALICE")

# --------------------------------------------------------------------------
section "sshd: each isolated login is a logind session"
hold "$ALICE" a 601; SID_A=$HOLD_SID
hold "$ALICE" b 602; SID_B=$HOLD_SID
out=$(ssh_as "$ALICE" "$SNAP")
expect_ne "ssh: the login's mount namespace is not the host's" "$(host_ns mnt)" "$(getv mnt "$out")"
expect_ne "ssh: nor its PID namespace" "$(host_ns pid)" "$(getv pid "$out")"
expect_eq "ssh: the hostname is the policy's" "$ALICE-box" "$(getv host "$out")"
expect_eq "ssh: the only root process it sees is the init, PID 1" "1 nsiso-init;" "$(getv rootprocs "$out" | sed 's/^ //')"
expect_eq "ssh: /tmp is the environment's" "tmpfs nsiso" "$(getv tmp "$out")"
expect_joined ssh "$out"
expect_eq "ssh: concurrent logins share one environment" "$(cat /home/$ALICE/a.mnt)" "$(cat /home/$ALICE/b.mnt)"
expect_eq "ssh: and the third login joined it too" "$(cat /home/$ALICE/a.mnt)" "$(getv mnt "$out")"
expect_eq "ssh: pam_loginuid (before pam_nsiso) set the loginuid" "$AUID" "$(getv loginuid "$out")"
expect_match "ssh: pam_systemd gave the login a session (XDG_SESSION_ID)" "^[0-9]+$" "$(getv sid "$out")"
expect_eq "ssh: the login's shell is in its own session scope" \
	"/user.slice/user-$AUID.slice/session-$(getv sid "$out").scope" "$(getv cgroup "$out")"
sessions=$(loginctl list-sessions --no-legend | awk -v u="$ALICE" '$3 == u {print $1}' | sort -n | tr '\n' ' ')
expect_match "loginctl lists both held logins as sessions" "(^| )$SID_A .*$SID_B( |$)" "$sessions"
expect_eq "loginctl: the session is sshd's, remote, active" "sshd yes active" \
	"$(session_props "$SID_A" Service Remote State)"
pa=$(hostpid "$ALICE" 601)
expect_eq "the host sees login A's shell in session-$SID_A.scope" \
	"0::/user.slice/user-$AUID.slice/session-$SID_A.scope" "$(cat "/proc/$pa/cgroup" 2>/dev/null)"
expect_match "logind counts that shell among the session's processes" "(^|[^0-9])$pa([^0-9]|$)" \
	"$(cat "/sys/fs/cgroup/user.slice/user-$AUID.slice/session-$SID_A.scope/cgroup.procs" 2>/dev/null | tr '\n' ' ')"
INIT=$(init_pid_of "$ALICE")
expect_ne "the environment is live" "" "$INIT"
expect_eq "the init is in a cgroup of its own, outside every logind scope" \
	"0::/nsiso/user-$AUID" "$(cat "/proc/$INIT/cgroup" 2>/dev/null)"
expect_eq "the init's cgroup holds only the init" "$INIT" "$(cat "/sys/fs/cgroup/nsiso/user-$AUID/cgroup.procs" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
out=$(ssh_as "$ALICE" 'loginctl list-sessions --no-legend')
expect_match "loginctl inside the environment sees the user's sessions (system bus)" "^ *$SID_A +$AUID +$ALICE" "$out"

# Cron fires at the next minute: install the job now, read it at the end.
cat > "$W/cron.job" <<EOF
* * * * * ( $(printf '%s' "$SNAP" | tr '\n' ';'); echo end ) > /home/$ALICE/cron.tmp 2>&1; mv /home/$ALICE/cron.tmp /home/$ALICE/cron.out
EOF
crontab -u "$ALICE" "$W/cron.job"
CRON_SET=$(date +%s)
ENV_MNT=$(cat "/home/$ALICE/a.mnt")

# --------------------------------------------------------------------------
section "systemd --user"
expect_eq "user@$AUID.service runs for the isolated user" "active" "$(systemctl is-active "user@$AUID.service")"
out=$(ssh_as "$ALICE" 'systemctl --user is-system-running 2>&1; echo rc=$?')
expect_match "systemctl --user works inside an isolated login (PID namespace)" "^(running|degraded)" "$out"
if ! printf '%s' "$out" | grep -Eq '^(running|degraded)'; then
	log "got: $(printf '%s' "$out" | tr '\n' ' ')"
	log "systemctl checks the manager's SO_PEERCRED pid, which is 0 from inside a PID namespace"
fi
# A transient unit (StartTransientUnit, a larger message, and the job's
# signals) through the relay. Not --pipe or --wait: those need the
# session bus (dbus-user-session), which this image lacks with or without
# pam_nsiso; fds through the relay are checked by t_16.
rm -f "/home/$ALICE/run.ok"
out=$(ssh_as "$ALICE" 'systemd-run --user --quiet --unit=vmt-run touch "$HOME/run.ok" 2>&1; echo rc=$?')
wait_for 20 test -e "/home/$ALICE/run.ok"
expect_eq "systemd-run --user starts a transient unit from inside (rc=0, the unit ran)" \
	"rc=0 ran" "$(printf '%s' "$out" | tail -1) $([ -e "/home/$ALICE/run.ok" ] && echo ran)"
hold "$BOB" nopid 611
out=$(ssh_as "$BOB" 'hostname; systemctl --user is-system-running 2>&1; echo rc=$?')
expect_match "systemctl --user works inside a login isolated without a PID namespace" \
	"^$BOB-box.*(running|degraded)" "$(printf '%s' "$out" | tr '\n' ' ')"
install -d -o "$ALICE" -g "$ALICE" "/home/$ALICE/.config" "/home/$ALICE/.config/systemd" \
	"/home/$ALICE/.config/systemd/user"
cat > "/home/$ALICE/.config/systemd/user/vmt-probe.service" <<'EOF'
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "$(readlink /proc/self/ns/mnt) $(hostname)" > %h/probe.out'
EOF
chown "$ALICE:" "/home/$ALICE/.config/systemd/user/vmt-probe.service"
# From the host the manager refuses clients it cannot see (their pid is 0
# in its PID namespace): root drives it through nsiso enter, inside.
out=$(runuser -u "$ALICE" -- env XDG_RUNTIME_DIR="/run/user/$AUID" systemctl --user daemon-reload 2>&1)
expect_match "systemctl --user from the host is refused by the manager inside" "not connected|Failed" "$out"
nsiso enter "$ALICE" -- systemctl --user daemon-reload </dev/null
nsiso enter "$ALICE" -- systemctl --user start vmt-probe.service </dev/null
expect_eq "a systemd --user service runs in the environment (started by root with nsiso enter)" \
	"$ENV_MNT $ALICE-box" "$(cat "/home/$ALICE/probe.out" 2>/dev/null)"
mgr=$(pgrep -u "$ALICE" -f 'systemd --user' | head -1)
expect_eq "alice's systemd --user is in the environment's PID namespace" "$(env_ns "$ALICE" | cut -d' ' -f4)" \
	"$(readlink "/proc/$mgr/ns/pid" 2>/dev/null)"
expect_eq "its cgroup is still the delegated user@$AUID.service/init.scope" \
	"0::/user.slice/user-$AUID.slice/user@$AUID.service/init.scope" "$(cat "/proc/$mgr/cgroup" 2>/dev/null)"

# --------------------------------------------------------------------------
section "loginctl terminate-session of one login"
loginctl terminate-session "$SID_A"
if wait_for 30 gone "$ALICE" 601; then pass "terminate-session $SID_A ends that login's processes"
else fail "terminate-session $SID_A ends that login's processes"; fi
wait_for 15 session_absent "$SID_A"
expect_eq "the other login's shell still runs" "yes" "$(alive "$ALICE" 602 && echo yes)"
expect_eq "and its session is still active" "active" "$(session_state "$SID_B")"
expect_eq "the environment's init survived (same pid)" "$INIT" "$(init_pid_of "$ALICE")"
expect_eq "a new login joins the same environment" "$ENV_MNT" "$(ssh_as "$ALICE" 'readlink /proc/self/ns/mnt')"

# --------------------------------------------------------------------------
section "systemd reloads and restarts leave the environment alone"
systemctl daemon-reload
systemctl daemon-reexec
wait_for 60 systemctl is-system-running --quiet --wait >/dev/null 2>&1 || true
expect_eq "after daemon-reload and daemon-reexec the init is still in its cgroup" \
	"0::/nsiso/user-$AUID" "$(cat "/proc/$INIT/cgroup" 2>/dev/null)"
systemctl restart systemd-logind
wait_for 30 loginctl list-sessions >/dev/null 2>&1
expect_eq "after restarting systemd-logind the session is still known" "active" "$(session_state "$SID_B")"
expect_eq "and a login still joins the environment" "$ENV_MNT" "$(ssh_as "$ALICE" 'readlink /proc/self/ns/mnt')"

# --------------------------------------------------------------------------
section "cgroup limits under logind"
# A login forks up to 40 children once root has put TasksMax=10 on its
# scope: the isolated processes are in the scope's cgroup, so the limit holds.
rm -f "/home/$ALICE/f.sid" "/home/$ALICE/f.go" "/home/$ALICE/f.out"
ssh_as "$ALICE" 'python3 -c "
import os, time
home = os.path.expanduser(\"~\")
open(home + \"/f.sid\", \"w\").write(os.environ.get(\"XDG_SESSION_ID\", \"\"))
for _ in range(600):
    if os.path.exists(home + \"/f.go\"): break
    time.sleep(0.1)
n = 0
for i in range(40):
    try:
        if os.fork() == 0:
            time.sleep(3); os._exit(0)
        n += 1
    except OSError:
        break
open(home + \"/f.out\", \"w\").write(\"forked %d\\n\" % n)
"' >/dev/null &
BG_PIDS+=($!)
wait_for 60 test -s "/home/$ALICE/f.sid"
SID_F=$(cat "/home/$ALICE/f.sid" 2>/dev/null)
systemctl set-property --runtime "session-$SID_F.scope" TasksMax=10
expect_eq "TasksMax on the login's scope is its cgroup's pids.max" "10" \
	"$(cat "/sys/fs/cgroup/user.slice/user-$AUID.slice/session-$SID_F.scope/pids.max" 2>/dev/null)"
touch "/home/$ALICE/f.go"
wait_for 60 test -s "/home/$ALICE/f.out"
forked=$(sed -n 's/^forked //p' "/home/$ALICE/f.out" 2>/dev/null)
if [ -n "$forked" ] && [ "$forked" -lt 10 ]; then
	pass "the isolated login's forks stop at the limit (forked $forked of 40)"
else
	fail "the isolated login's forks stop at the limit" "forked '${forked}' of 40"
fi
expect_eq "the limit did not touch the environment's init" "$INIT" "$(init_pid_of "$ALICE")"

# --------------------------------------------------------------------------
section "tmux survives logout (KillUserProcesses=no, Debian's default)"
ssh_as "$ALICE" 'echo $XDG_SESSION_ID > ~/t.sid; tmux -L keep new-session -d -s keep "sleep 1003"' >/dev/null
SID_T=$(cat "/home/$ALICE/t.sid" 2>/dev/null)
wait_for 10 alive "$ALICE" 1003
sleep 1
expect_eq "the tmux job runs on after its login ended" "yes" "$(alive "$ALICE" 1003 && echo yes)"
wait_for 15 sh -c "[ \"\$(loginctl show-session '$SID_T' -p State --value 2>/dev/null)\" = closing ]"
expect_eq "logind keeps that login's session as 'closing' while tmux runs in it" "closing" "$(session_state "$SID_T")"
out=$(ssh_as "$ALICE" 'tmux -L keep ls; ps -eo args=')
expect_match "the next login sees the tmux session" "^keep:" "$out"
expect_match "and its job" "^sleep 1003" "$out"

# --------------------------------------------------------------------------
section "KillUserProcesses=yes"
mkdir -p /etc/systemd/logind.conf.d
printf '[Login]\nKillUserProcesses=yes\n' > /etc/systemd/logind.conf.d/vmt.conf
systemctl restart systemd-logind
wait_for 30 loginctl list-sessions >/dev/null 2>&1
expect_eq "logind runs with KillUserProcesses=yes" "b true" \
	"$(busctl get-property org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager KillUserProcesses 2>&1)"
ssh_as "$ALICE" 'echo $XDG_SESSION_ID > ~/k.sid; tmux -L kup new-session -d "sleep 1004"; sleep 1' >/dev/null
if wait_for 30 gone "$ALICE" 1004; then
	pass "logging out kills that login's tmux (as it would without pam_nsiso)"
else
	fail "logging out kills that login's tmux (as it would without pam_nsiso)"
fi
expect_eq "the user's other login still runs" "yes" "$(alive "$ALICE" 602 && echo yes)"
expect_eq "and its session is active" "active" "$(session_state "$SID_B")"
expect_eq "the environment's init survived" "$INIT" "$(init_pid_of "$ALICE")"
expect_eq "a new login joins the same environment" "$ENV_MNT" "$(ssh_as "$ALICE" 'readlink /proc/self/ns/mnt')"
# bob's last session ends: logind stops his manager, which must end
# cleanly (the unit inactive, not failed).
BUID=$(id -u "$BOB")
pkill -u "$BOB" -x -f 'sleep 611'
loginctl terminate-user "$BOB"
wait_for 60 sh -c "! systemctl is-active -q user@$BUID.service"
expect_eq "KillUserProcesses=yes: bob's last logout stops his manager cleanly" "inactive success" \
	"$(systemctl show -p ActiveState --value "user@$BUID.service") $(systemctl show -p Result --value "user@$BUID.service")"
rm -f /etc/systemd/logind.conf.d/vmt.conf
systemctl restart systemd-logind
wait_for 30 loginctl list-sessions >/dev/null 2>&1

# --------------------------------------------------------------------------
section "mount propagation (the environment's / is a slave of the host's)"
expect_match "inside, / receives the host's mounts (slave)" "slave" \
	"$(findmnt --task "$INIT" -n -o PROPAGATION /)"
mkdir -p /srv/vmt-late
mount -t tmpfs -o size=1m vmt-late /srv/vmt-late
echo late-content > /srv/vmt-late/f
out=$(ssh_as "$ALICE" 'cat /srv/vmt-late/f; findmnt -n -o SOURCE /srv/vmt-late')
expect_eq "a host mount made after the environment exists appears inside" "late-content vmt-late" \
	"$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ $//')"
nsenter -t "$INIT" -m -p mount -t tmpfs -o size=1m vmt-inner /srv/vmt-late
expect_match "root mounts over it inside the environment" "vmt-inner" \
	"$(ssh_as "$ALICE" 'findmnt -n -o SOURCE /srv/vmt-late')"
expect_no_match "a mount made inside the environment does not reach the host" "vmt-inner" \
	"$(findmnt -n -o SOURCE /srv/vmt-late)"
nsenter -t "$INIT" -m -p umount /srv/vmt-late
umount /srv/vmt-late
expect_eq "the host's umount reaches the environment" "" \
	"$(ssh_as "$ALICE" 'findmnt -n -o SOURCE /srv/vmt-late')"
expect_no_match "the environment's own mounts (source nsiso) are not on the host" " nsiso " \
	"$(cat /proc/1/mountinfo)"

# --------------------------------------------------------------------------
section "login (on a pty, started outside any session, like a getty)"
rm -f "/home/$ALICE/login.out"
tmux -L vmt kill-server 2>/dev/null
systemd-run -q --scope --unit=vmt-login -- tmux -L vmt new-session -d -x 200 -y 50 "login -f $ALICE"
wait_for 60 sh -c 'tmux -L vmt capture-pane -p | grep -q "\$ *$"'
tmux -L vmt send-keys "( $(printf '%s' "$SNAP" | tr '\n' ';') ) > ~/login.tmp; mv ~/login.tmp ~/login.out" Enter
wait_for 60 test -s "/home/$ALICE/login.out"
out=$(cat "/home/$ALICE/login.out" 2>/dev/null)
expect_joined login "$out"
expect_eq "login: the hostname is the policy's" "$ALICE-box" "$(getv host "$out")"
expect_eq "login: only the init is root" "1 nsiso-init;" "$(getv rootprocs "$out" | sed 's/^ //')"
SID_L=$(getv sid "$out")
expect_match "login: pam_systemd gave it a session" "^[0-9]+$" "$SID_L"
expect_match "loginctl: the session is login's, on a pty" "^login pts/[0-9]+$" \
	"$(session_props "$SID_L" Service TTY)"
expect_eq "login: the shell is in that session's scope" "/user.slice/user-$AUID.slice/session-$SID_L.scope" "$(getv cgroup "$out")"
tmux -L vmt send-keys "exit" Enter
if wait_for 30 session_absent "$SID_L"; then pass "login: logging out ends the session"
else fail "login: logging out ends the session" "state $(session_state "$SID_L")"; fi
tmux -L vmt kill-server 2>/dev/null

# --------------------------------------------------------------------------
section "su -l"
out=$(timeout 60 su - "$ALICE" -c "$SNAP" 2>/dev/null)
expect_joined "su -l" "$out"
expect_eq "su -l: the hostname is the policy's" "$ALICE-box" "$(getv host "$out")"
expect_eq "su -l: only the init is root" "1 nsiso-init;" "$(getv rootprocs "$out" | sed 's/^ //')"

# --------------------------------------------------------------------------
section "cron (pam_nsiso appended to /etc/pam.d/cron)"
left=$(( CRON_SET + 80 - $(date +%s) ))
[ "$left" -lt 5 ] && left=5
wait_for "$left" test -s "/home/$ALICE/cron.out"
out=$(cat "/home/$ALICE/cron.out" 2>/dev/null)
expect_match "cron: the job ran" "^end$" "$out"
expect_joined cron "$out"
expect_eq "cron: the hostname is the policy's" "$ALICE-box" "$(getv host "$out")"
expect_ne "cron: the job's shell is not PID 1" "1" "$(getv shellpid "$out")"
expect_eq "cron: it sees only the init and the user's processes" "$(printf '%s\n' root "$ALICE" | sort | tr '\n' ' ')" \
	"$(getv users "$out" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')"
expect_eq "cron: /tmp is the environment's" "tmpfs nsiso" "$(getv tmp "$out")"
expect_eq "cron: pam_loginuid (before pam_nsiso) set the loginuid" "$AUID" "$(getv loginuid "$out")"
expect_eq "cron: no logind session (Debian's cron stack has no pam_systemd): cron.service's cgroup" \
	"/system.slice/cron.service" "$(getv cgroup "$out")"
crontab -u "$ALICE" -r

# --------------------------------------------------------------------------
. "$TOP/tests/vm/escapes.sh"

# --------------------------------------------------------------------------
section "the end of the environment"
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
loginctl terminate-user "$ALICE"
# systemd 252 leaves the processes of a session that is already 'closing'
# (the tmux above) to terminate-user and terminate-session, with or without
# pam_nsiso (checked with a plain user); kill-user signals the whole slice.
loginctl kill-user -s KILL "$ALICE"
if wait_for 60 env_gone "$ALICE"; then
	pass "once logind has ended the user's processes the environment ends (linger 0)"
else
	fail "once logind has ended the user's processes the environment ends (linger 0)" \
		"left in it: $(env_procs "$ALICE")"
	log "logind: $(loginctl list-sessions --no-legend | tr -s ' ' | tr '\n' ';')"
fi
wait_for 10 sh -c "[ ! -d /sys/fs/cgroup/nsiso/user-$AUID ]"
expect_eq "the init's cgroup is removed" "no" "$([ -d "/sys/fs/cgroup/nsiso/user-$AUID" ] && echo yes || echo no)"
expect_eq "no init is left" "" "$(pgrep -a -f "^nsiso-init: $ALICE" || true)"
nsiso stop "$BOB" >/dev/null 2>&1
loginctl terminate-user "$BOB"
wait_for 30 env_gone "$BOB"
expect_no_match "no nsiso mount is left on the host" " nsiso " "$(cat /proc/1/mountinfo)"
cleanup
trap - EXIT

# --------------------------------------------------------------------------
. "$TOP/tests/vm/directory-checks.sh"

# --------------------------------------------------------------------------
if [ "$SUITE" != none ]; then
	tests=()
	limit=1800
	if [ "$SUITE" = system ]; then
		mapfile -t tests < <(grep -ho '^t_[A-Za-z0-9_]*()' "$TOP"/tests/integration/t_*.sh |
			tr -d '()' | grep -E "$SUITE_PATTERN" | sort)
		limit=1300
	fi
	if [ "$SUITE" = system ]; then
		section "the integration suite (system: ${#tests[@]} tests), on the stock stacks"
	else
		section "the integration suite (all tests), on the stock stacks"
	fi
	[ "$SUITE" = system ] && log "${tests[*]}"
	# As on a freshly booted machine: no /run/nsiso yet (no environment is
	# alive here; what is left are the lock files of ended ones).
	if pgrep -f '^nsiso-init' >/dev/null; then
		log "an environment is still alive: keeping /run/nsiso"
	else
		rm -rf /run/nsiso
	fi
	RUNDIR_BEFORE=$(stat -c '%F %a %U' /run/nsiso 2>/dev/null || echo absent)
	# Debian's kernel can forbid unprivileged user namespaces; nsiso-shell
	# must work without them (the admin grants them per policy), so the
	# suite's user namespace tests run with them off.
	userns_clone=$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null)
	expect_match "Debian's kernel.unprivileged_userns_clone exists" "^[01]$" "$userns_clone"
	sysctl -q -w kernel.unprivileged_userns_clone=0
	expect_eq "unprivileged user namespaces are off for the suite" "Operation not permitted" \
		"$(runuser -u nobody -- unshare -U true 2>&1 | sed 's/.*: //')"
	start=$(date +%s)
	timeout "$limit" "$TOP/tests/integration/run.sh" "${tests[@]}" > "$W/suite.log" 2>&1
	rc=$?
	[ -n "$userns_clone" ] && sysctl -q -w "kernel.unprivileged_userns_clone=$userns_clone"
	sed 's/^/    | /' "$W/suite.log"
	summary=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed' "$W/suite.log" | tail -1)
	log "rc=$rc, $(( $(date +%s) - start ))s"
	# The failed checks' names travel in this check's name, so that the
	# run's last lines say which test failed without the whole log.
	failed_checks=$(sed -n 's/^failed: //p' "$W/suite.log" | paste -sd ';' -)
	expect_match "tests/integration/run.sh passes in the guest (${summary:-no summary}${failed_checks:+: $failed_checks})" \
		"^integration: [0-9]+ passed, 0 failed$" "$summary"

	section "after the suite, the installed module still isolates logins"
	# The suite removes the /run/nsiso it had to make (issue 15, item 9):
	# the host is as it was, and the next login makes it 0700 itself.
	expect_eq "the suite leaves /run/nsiso as it found it ($RUNDIR_BEFORE)" "$RUNDIR_BEFORE" \
		"$(stat -c '%F %a %U' /run/nsiso 2>/dev/null || echo absent)"
	backup /etc/pam.d/sshd /etc/security/nsiso/default.conf
	trap cleanup EXIT
	echo 'session required pam_nsiso.so' >> /etc/pam.d/sshd
	printf 'namespaces = mount uts ipc pid\nhostname = %%u-box\nlinger = 0\n' > /etc/security/nsiso/default.conf
	useradd -m -s /bin/bash "$ALICE"
	install -d -m 0700 -o "$ALICE" -g "$ALICE" "/home/$ALICE/.ssh"
	install -m 0600 -o "$ALICE" -g "$ALICE" "$KEY.pub" "/home/$ALICE/.ssh/authorized_keys"
	expect_eq "an ssh login after the suite is isolated" "$ALICE-box" "$(ssh_as "$ALICE" hostname)"
	expect_eq "and the module's /run/nsiso is root-only (0700)" "700 root" \
		"$(stat -c '%a %U' /run/nsiso 2>/dev/null)"
	cleanup
	trap - EXIT
fi

summary vm-guest
