# Shared set-up and assertions for the integration tests (bash, root).
#
# The suite runs in a mount namespace of its own with / made rshared, as on
# a systemd host. Inside it, /etc/pam.d is a copy (Debian's stacks with the
# pam_nsiso line appended), /dev/log is a listener that records syslog
# lines, and /run/nsiso is a fresh tmpfs. Users, sshd and environments made
# here are removed by cleanup().

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
W=${NSISO_TEST_DIR:?}
MODULE=$W/bin/pam_nsiso.so
HELPER=$W/bin/nsiso-helper
ENTER=$W/bin/nsiso-enter
NSISO=$W/bin/nsiso
TESTLIB=$W/lib
POLICY=$W/policy
SYSLOG=$W/syslog.txt
PREFIX=nsit
PASSED=0
FAILED=0
FAILED_NAMES=()
CURRENT_TEST=

log() { printf '%s\n' "$*" >&2; }

pass() {
	PASSED=$((PASSED + 1))
	printf '  ok   %s\n' "$1"
}

fail() {
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$CURRENT_TEST: $1")
	printf '  FAIL %s\n' "$1"
	[ -n "${2:-}" ] && printf '       %s\n' "$2"
	return 0
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

expect_ne() {
	if [ "$2" != "$3" ]; then pass "$1"; else fail "$1" "both are '$2'"; fi
}

# expect_match DESC REGEX TEXT
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else
		fail "$1" "no match for /$2/ in: $(printf '%s' "$3" | head -c 600)"; fi
}

expect_no_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		fail "$1" "unexpected match for /$2/ in: $(printf '%s' "$3" | head -c 600)"
	else pass "$1"; fi
}

# expect_log DESC REGEX: a syslog line recorded since the last mark_log.
LOG_MARK=0
mark_log() { LOG_MARK=$(wc -l < "$SYSLOG"); }
expect_log() {
	local i new
	for i in $(seq 1 50); do
		new=$(tail -n +"$((LOG_MARK + 1))" "$SYSLOG")
		if printf '%s' "$new" | grep -Eq -- "$2"; then pass "$1"; return; fi
		sleep 0.1
	done
	fail "$1" "no syslog line matching /$2/; got: $(printf '%s' "$new" | tail -5)"
}

run_test() {
	CURRENT_TEST=$1
	printf '%s\n' "$1"
	"$1"
}

host_ns() { readlink "/proc/self/ns/$1"; }

# The policy directory: root-owned, not group/world writable.
reset_policy() {
	rm -rf "$POLICY"
	install -d -m 0755 "$POLICY" "$POLICY/user" "$POLICY/group"
}

# write_policy RELPATH <<EOF ... : a root-owned 0644 policy file
write_policy() {
	install -d -m 0755 "$(dirname "$POLICY/$1")"
	cat > "$POLICY/$1"
	chmod 0644 "$POLICY/$1"
	chown root:root "$POLICY/$1"
}

pam_line() {
	printf 'session required %s policy=%s helper=%s debug\n' "$MODULE" "$POLICY" "$HELPER"
}

# Debian's real stacks with pam_nsiso appended last, in a private copy of
# /etc/pam.d; su-l and the test services admit root-run tests without a
# password (auth only; the session stacks are Debian's).
setup_pam() {
	mkdir -p "$W/pam.d" "$W/pam.orig"
	cp -a /etc/pam.d/. "$W/pam.d/"
	cp -a /etc/pam.d/. "$W/pam.orig/"
	mount --bind "$W/pam.d" /etc/pam.d
	cp "$W/pam.orig/sshd" /etc/pam.d/sshd-nsiso-test
	pam_line >> /etc/pam.d/sshd-nsiso-test
	pam_line >> /etc/pam.d/login
	pam_line >> /etc/pam.d/runuser-l
	{ echo 'auth sufficient pam_permit.so'; cat "$W/pam.orig/su-l"; pam_line; } > /etc/pam.d/su-l
	{
		echo 'auth sufficient pam_permit.so'
		echo 'account required pam_permit.so'
		echo '@include common-session'
		pam_line
	} > /etc/pam.d/nsiso-test
	{
		echo 'auth sufficient pam_permit.so'
		echo 'account required pam_permit.so'
		echo '@include common-session'
		printf 'session required %s policy=%s helper=%s bogus=1\n' "$MODULE" "$POLICY" "$HELPER"
	} > /etc/pam.d/nsiso-test-badarg
	{
		echo 'auth sufficient pam_permit.so'
		echo 'account required pam_permit.so'
		echo '@include common-session'
		printf 'session required %s policy=%s helper=%s\n' "$W/asan/pam_nsiso.so" "$POLICY" "$W/asan/nsiso-helper"
	} > /etc/pam.d/nsiso-test-asan
}

setup_syslog() {
	: > "$SYSLOG"
	if [ -e /dev/log ]; then
		# A syslog daemon owns /dev/log: cover it in this namespace only.
		python3 "$TOP/tests/lib/syslog_listener.py" "$W/log.sock" "$SYSLOG" &
		SYSLOG_PID=$!
		for _ in $(seq 50); do [ -S "$W/log.sock" ] && break; sleep 0.05; done
		mount --bind "$W/log.sock" /dev/log
	else
		python3 "$TOP/tests/lib/syslog_listener.py" /dev/log "$SYSLOG" &
		SYSLOG_PID=$!
		CREATED_DEVLOG=1
		for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.05; done
	fi
}

# A fresh /run/nsiso for the suite: environments of the host are untouched.
# The directory it covers is the host's: run.sh's hostrun_enter made sure
# there is one, and hostrun_leave removes it again if it made it
# (tests/lib/hostrun.sh). Without the tmpfs the suite would use the host's.
setup_rundir() {
	mount -t tmpfs -o mode=0700,size=1m nsiso-test /run/nsiso && return
	log "no tmpfs on /run/nsiso: not running against the host's"
	exit 1
}

# add_user NAME [useradd options]
add_user() {
	local name=$1
	shift
	userdel -r "$name" >/dev/null 2>&1 || true
	useradd -m -s /bin/bash "$@" "$name"
	CREATED_USERS+=("$name")
	install -d -m 0700 -o "$name" -g "$name" "/home/$name/.ssh" 2>/dev/null || true
}

ALICE=${PREFIX}-alice
BOB=${PREFIX}-bob
CAROL=${PREFIX}-carol   # in the admins group: isolate = no
DAVE=${PREFIX}-dave     # share = session
SYSUSER=${PREFIX}-sys   # a system account below uid_min
ADMINS=${PREFIX}-admins
CREATED_USERS=()

setup_users() {
	groupdel "$ADMINS" >/dev/null 2>&1
	groupdel "$PREFIX-g2" >/dev/null 2>&1
	groupdel "$PREFIX-g3" >/dev/null 2>&1
	# Network objects of t_90_network.sh, should a test have stopped early.
	ip netns del nsit-net 2>/dev/null
	ip netns del nsit-peer 2>/dev/null
	ip link del nsit-br0 2>/dev/null
	rm -rf /etc/netns/nsit-net || true
	groupadd "$ADMINS"
	add_user "$ALICE"
	add_user "$BOB"
	add_user "$CAROL" -G "$ADMINS"
	add_user "$DAVE"
	add_user "$SYSUSER" -r
}

SSH_PORT=
setup_sshd() {
	mkdir -p "$W/sshd" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$W/sshd/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$W/sshd/client_key"
	mkdir -p "$W/sshd/keys"
	for u in "$ALICE" "$BOB" "$CAROL" "$DAVE"; do
		cp "$W/sshd/client_key.pub" "$W/sshd/keys/$u"
	done
	chmod -R go-w "$W/sshd"
	# The PAM service name is sshd's argv[0]: this one reads
	# /etc/pam.d/sshd-nsiso-test.
	ln -sf /usr/sbin/sshd "$W/sshd/sshd-nsiso-test"
	SSH_PORT=$(free_port 20000 40000)
	cat > "$W/sshd/config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $W/sshd/host_key
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $W/sshd/keys/%u
StrictModes no
PidFile $W/sshd/pid
PrintMotd no
Subsystem sftp internal-sftp
EOF
	"$W/sshd/sshd-nsiso-test" -D -e -f "$W/sshd/config" 2>>"$W/sshd/log" &
	SSHD_PID=$!
	wait_listening "$SSH_PORT" && return 0
	log "sshd did not start:"; cat "$W/sshd/log" >&2
	return 1
}

# free_port LOW HIGH: a TCP port nothing listens on.
free_port() {
	local port
	for port in $(shuf -i "$1-$2" -n 20); do
		ss -Hltn "sport = :$port" | grep -q . || { echo "$port"; return 0; }
	done
	return 1
}

# wait_listening PORT: up to 5 s for a listener on 127.0.0.1:PORT.
wait_listening() {
	for _ in $(seq 100); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# ssh_as USER COMMAND: a real login over sshd with key authentication.
ssh_as() { ssh_port_as "$SSH_PORT" "$@"; }

# ssh_port_as PORT USER COMMAND: the same, to another of the suite's sshds.
ssh_port_as() {
	local port=$1 user=$2
	shift 2
	ssh -q -i "$W/sshd/client_key" -p "$port" -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR "$user@127.0.0.1" "$@"
}

runuser_l() {
	local user=$1
	shift
	runuser -l "$user" -c "$*"
}

# tmux_wait_prompt SOCKET [TRIES]: wait until the pane of the tmux server
# SOCKET ends in a shell prompt ("$"), TRIES times 0.1 s at most (default
# 100): a login started there is ready for send-keys. 1 if it never was.
tmux_wait_prompt() {
	local _
	for _ in $(seq "${2:-100}"); do
		tmux -L "$1" capture-pane -p 2>/dev/null | grep -q '\$ *$' && return 0
		sleep 0.1
	done
	return 1
}

# The environment of a user as the host sees it: init pid, or empty.
init_pid_of() {
	local uid
	uid=$(id -u "$1")
	"$NSISO" list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["uid"] == int(sys.argv[1]) and e["share"] == "user":
        print(e["init_pid"])' "$uid"
}

# deny_case DESC LOG_REGEX [USER]: pamtester for USER (alice) must fail,
# log the reason, and leave no environment, socket or mount behind.
deny_case() {
	local desc=$1 regex=$2 user=${3:-$ALICE} before after
	before=$(wc -l < /proc/self/mountinfo)
	mark_log
	if pamtester nsiso-test "$user" open_session close_session >/dev/null 2>&1; then
		fail "$desc: session denied"
	else
		pass "$desc: session denied"
	fi
	expect_log "$desc: logged" "$regex"
	after=$(wc -l < /proc/self/mountinfo)
	expect_eq "$desc: nothing built" "$before/" "$after/$(ls /run/nsiso | grep '\.sock$' || true)"
}

# wait_live USER: up to 5 s for the user's environment to be up (a login
# started in the background has built or joined it).
wait_live() {
	for _ in $(seq 50); do
		[ -n "$(init_pid_of "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone USER: the user's environment ends (no logins, nothing left).
wait_gone() {
	for _ in $(seq 100); do
		[ -z "$(init_pid_of "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}

stop_all() {
	local u
	for u in "${CREATED_USERS[@]}"; do
		"$NSISO" stop "$u" >/dev/null 2>&1 || true
	done
}

cleanup() {
	set +e
	stop_all
	[ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
	tmux -L nsit kill-server 2>/dev/null
	for u in "${CREATED_USERS[@]}"; do
		pkill -KILL -u "$u" 2>/dev/null
	done
	sleep 0.2
	for u in "${CREATED_USERS[@]}"; do
		userdel -r "$u" >/dev/null 2>&1
	done
	groupdel "$ADMINS" >/dev/null 2>&1
	# Network objects of t_90_network.sh, should a test have stopped early.
	ip netns del nsit-net 2>/dev/null
	ip netns del nsit-peer 2>/dev/null
	ip link del nsit-br0 2>/dev/null
	rm -rf /etc/netns/nsit-net
	[ -n "${SYSLOG_PID:-}" ] && kill "$SYSLOG_PID" 2>/dev/null
	[ -n "${CREATED_DEVLOG:-}" ] && rm -f /dev/log
}

# nsiso-enter and nsiso-shell are setuid: they run nsiso-helper digest from
# the path compiled into them, never from one a caller names, and the
# helper runs the nsiso-resolve next to it. The suite's two are bound
# there, in the suite's own mount namespace only; a file or directory made
# to bind onto is removed again.
COMPILED_HELPER=$(sed -n 's/^#define NSISO_HELPER_PATH "\(.*\)"$/\1/p' "$TOP/build/install-paths.h")
bind_compiled_helper() {
	BOUND_DIR= BOUND_FILES=
	local dir f
	dir=$(dirname "$COMPILED_HELPER")
	[ -d "$dir" ] || { mkdir "$dir" && BOUND_DIR=$dir; }
	for f in nsiso-helper nsiso-resolve; do
		[ -e "$dir/$f" ] || { : > "$dir/$f" && BOUND_FILES="$BOUND_FILES $dir/$f"; }
		umount -l "$dir/$f" 2>/dev/null
		mount --bind "$(dirname "$HELPER")/$f" "$dir/$f"
	done
}
unbind_compiled_helper() {
	local dir f
	dir=$(dirname "$COMPILED_HELPER")
	for f in nsiso-helper nsiso-resolve; do
		umount -l "$dir/$f" 2>/dev/null
	done
	# shellcheck disable=SC2086 # a list of paths without blanks
	[ -n "${BOUND_FILES:-}" ] && rm -f $BOUND_FILES
	[ -n "${BOUND_DIR:-}" ] && rmdir "$BOUND_DIR"
	BOUND_DIR= BOUND_FILES=
	return 0
}
