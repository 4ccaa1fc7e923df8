# Set-up, clean-up and helpers of the security suite (sourced after
# tests/integration/lib.sh, whose assertions it reuses). Everything here is
# named nssec-* so that it never meets another suite's users or sessions.

PREFIX=nssec
ALICE=nssec-alice
BOB=nssec-bob
CAROL=nssec-carol
DAVE=nssec-dave
ADMINS=nssec-admins
ATTACK=$W/bin/nssec-attack
EVIL=$W/bin/evil.so
MARKS=$W/marks
CREATED_USERS=()
BG_PIDS=()

# as_user USER CMD...: run CMD as USER without PAM (a plain unprivileged
# process, the attacker), keeping the environment as given.
as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@"
}

sec_setup_users() {
	groupdel "$ADMINS" >/dev/null 2>&1 || true
	groupadd "$ADMINS"
	add_user "$ALICE"
	add_user "$BOB"
	add_user "$CAROL" -G "$ADMINS"
	add_user "$DAVE"
}

# Syslog lines recorded in this namespace only. /dev is covered (here) by
# an overlay of itself, so /dev/log can be our listener whether or not the
# host has one, and nothing is created in or removed from the host's /dev
# (another suite may own a /dev/log there).
sec_setup_syslog() {
	local m
	: > "$SYSLOG"
	mkdir -p "$W/devov"
	mount -t tmpfs -o mode=0755,size=1m nssec-dev "$W/devov"
	mkdir "$W/devov/upper" "$W/devov/work" "$W/devov/merged"
	mount -t overlay nssec-dev \
		-o "lowerdir=/dev,upperdir=$W/devov/upper,workdir=$W/devov/work" "$W/devov/merged"
	for m in $(awk '$5 ~ "^/dev/" {print $5}' /proc/self/mountinfo | sort -u); do
		mount --rbind "$m" "$W/devov/merged/${m#/dev/}"
	done
	mount --rbind "$W/devov/merged" /dev
	rm -f /dev/log
	python3 "$TOP/tests/lib/syslog_listener.py" /dev/log "$SYSLOG" &
	SYSLOG_PID=$!
	for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.05; done
}

# The policy most attacks run against: every namespace, linger 0.
sec_policy() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
hostname = %u-box
tmpfs = /tmp
linger = 0
P
}

uid_of() { id -u "$1"; }

# env_pid USER: the live user-shared environment's init, or empty.
env_pid() { init_pid_of "$1"; }

# wait_env USER: until the user's environment answers (max 5 s).
wait_env() {
	local p
	for _ in $(seq 50); do
		p=$(init_pid_of "$1")
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	return 1
}

sockets() { ls /run/nsiso | grep '\.sock$' || true; }
mountinfo_now() { cut -d' ' -f5- /proc/self/mountinfo | sort; }

# expect_rc DESC EXPECTED CMD...: exit status of CMD.
expect_rc() {
	local desc=$1 want=$2 got
	shift 2
	"$@" >/dev/null 2>&1
	got=$?
	expect_eq "$desc" "$want" "$got"
}

bg() { "$@" & BG_PIDS+=($!); }

stop_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	BG_PIDS=()
}

sec_cleanup() {
	set +e
	stop_bg
	# FUSE mounts of s_55 (their daemons are gone with stop_bg): before
	# userdel -r walks a home that one may cover.
	for m in $(awk '$0 ~ / - fuse\.hang / {print $5}' /proc/self/mountinfo); do
		umount -l "$m"
	done
	# A netns name of s_56 that a failed build left (/run/netns is the
	# host's directory, only the bind mount is this namespace's).
	for m in /run/netns/nssec-*; do
		[ -e "$m" ] || continue
		umount -l "$m" 2>/dev/null
		rm -f "$m"
	done
	stop_all
	[ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
	tmux -L nssec kill-server 2>/dev/null
	for u in "${CREATED_USERS[@]}"; do
		for p in $(pgrep -u "$u"); do kill -KILL "$p" 2>/dev/null; done
	done
	for p in $(our_inits); do kill -KILL "$p" 2>/dev/null; done
	sleep 0.3
	for u in "${CREATED_USERS[@]}"; do
		userdel -r "$u" >/dev/null 2>&1
	done
	groupdel "$ADMINS" >/dev/null 2>&1
	# only the paths the attacks create
	rm -rf /tmp/nssec-hide /tmp/nssec-src /var/lib/nssec-dst /var/lib/nssec-w \
		/var/lib/nssec-ww /etc/nssec-t /usr/local/nssec-t /etc/nssec-pwn \
		/var/lib/nssec-fuse /var/lib/nssec-adminfuse 2>/dev/null
	# s_80_exhaustion.sh's bridge, should a test have stopped early
	ip link del nssec-br0 2>/dev/null
	[ -n "${SYSLOG_PID:-}" ] && kill "$SYSLOG_PID" 2>/dev/null
}
