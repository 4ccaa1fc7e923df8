# Signals mid-build, ptrace and /proc/PID/mem of the helper and of an
# environment's init, and the controlling terminal of both.

# helper_pid_for UID: the helper building that uid's environment (max 5 s).
helper_pid_for() {
	local p
	for _ in $(seq 100); do
		p=$(pgrep -f "^nsiso-helper build --uid $1 " | head -1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}

# hold_lock UID SECONDS: root holds the user's build lock, so a helper
# started now waits in flock: a deterministic "mid-build" point.
hold_lock() {
	flock -x "/run/nsiso/user-$1.lock" sleep "$2" &
	LOCK_PID=$!
	for _ in $(seq 50); do
		[ -e "/run/nsiso/user-$1.lock" ] && break
		sleep 0.02
	done
	sleep 0.1
}

release_lock() {
	# flock(1) forks sleep: end both, by pid.
	for c in $(pgrep -P "$LOCK_PID"); do kill "$c" 2>/dev/null; done
	kill "$LOCK_PID" 2>/dev/null
	wait "$LOCK_PID" 2>/dev/null
}

s_30_kill_helper_mid_build() {
	sec_policy
	local bu hp rc
	bu=$(uid_of "$BOB")
	hold_lock "$bu" 30
	mark_log
	pamtester nsiso-test "$BOB" open_session close_session >/dev/null 2>&1 &
	local pt=$!
	hp=$(helper_pid_for "$bu")
	expect_ne "a helper is waiting for the build lock" "" "$hp"
	if [ -n "$hp" ]; then
		expect_match "the helper leads its own session, without a tty" "^sid=$hp tty_nr=0$" \
			"$("$ATTACK" stat "$hp")"
		kill -STOP "$hp"
		release_lock
		sleep 0.5
		expect_eq "a stopped helper builds nothing" "" "$(sockets)"
		kill -KILL "$hp"
	else
		release_lock
	fi
	wait "$pt"
	rc=$?
	expect_ne "the login whose helper was killed is denied" "0" "$rc"
	expect_log "and the log says the helper was killed" "nsiso-helper killed by signal 9"
	expect_eq "no environment was left half-built" "" "$(sockets)"
	local out
	out=$(runuser_l "$BOB" 'cat /run/nsiso/environment')
	expect_eq "the next login works" "uid=$bu" "$out"
	wait_gone "$BOB"

	# Kill the helper at random points of real builds (bounded loop).
	local i killed=0
	for i in $(seq 12); do
		"$ATTACK" killer "$bu" $(( (i - 1) * 1500 )) > "$W/killer.out" &
		local kp=$!
		sleep 0.05
		runuser_l "$BOB" 'true' >/dev/null 2>&1
		wait "$kp"
		grep -q killed=1 "$W/killer.out" && killed=$((killed + 1))
		"$NSISO" stop "$BOB" >/dev/null 2>&1
		wait_gone "$BOB"
	done
	log "       (helpers killed mid-build: $killed of 12)"
	expect_ne "the loop really killed helpers mid-build" "0" "$killed"
	sleep 0.5
	expect_eq "after 12 killed or finished builds: no init of bob is left" "" \
		"$(pgrep -f "^nsiso-init: $BOB" || true)"
	expect_eq "after 12 killed or finished builds: no socket is left" "" "$(sockets)"
	out=$(runuser_l "$BOB" 'cat /run/nsiso/environment')
	expect_eq "after 12 killed or finished builds: a login works" "uid=$bu" "$out"
	wait_gone "$BOB"
}

s_31_ptrace_helper() {
	sec_policy
	local au out
	au=$(uid_of "$ALICE")
	# nsiso-enter is the setuid program a user runs: it waits as root
	# while the command runs in her live environment.
	runuser_l "$ALICE" 'sleep 12' >/dev/null 2>&1 &
	local sp=$!
	wait_env "$ALICE" >/dev/null
	out=$(as_user "$ALICE" "$ATTACK" ptrace-running "$ENTER" -- sleep 3 </dev/null)
	expect_match "the running nsiso-enter really is setuid root (test is meaningful)" "^elevated=1$" "$out"
	local k
	for k in attach seize mem_rw mem_ro vm_readv environ cwd fd0 getfd; do
		expect_no_match "user against her own running nsiso-enter: $k fails" "^$k=OK$" "$out"
	done
	out=$(as_user "$ALICE" "$ATTACK" traceme-exec "$ENTER" 2>&1 </dev/null)
	expect_eq "PTRACE_TRACEME then exec: nsiso-enter does not get euid 0" "euid_at_exec=$au" "$out"
	out=$(as_user "$ALICE" "$ATTACK" attach-race 200 "$ENTER" -- true 2>&1 </dev/null)
	expect_match "attach race (200 execs): no traced nsiso-enter ever ran with euid 0" "gained=0$" "$out"
	log "       ($out)"
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	"$NSISO" stop "$ALICE" >/dev/null 2>&1
	wait_gone "$ALICE"
}

s_32_ptrace_init() {
	sec_policy
	local bu pid out k
	bu=$(uid_of "$BOB")
	runuser_l "$BOB" 'sleep 6' >/dev/null 2>&1 &
	local sp=$!
	pid=$(wait_env "$BOB")
	expect_ne "bob's environment is live" "" "$pid"
	[ -n "$pid" ] || { kill "$sp"; return; }
	out=$(as_user "$BOB" "$ATTACK" procmem "$pid")
	for k in attach seize mem_rw mem_ro vm_readv environ cwd fd0 getfd; do
		expect_no_match "bob (host side) against his init: $k fails" "^$k=OK$" "$out"
	done
	out=$(as_user "$ALICE" "$ATTACK" procmem "$pid")
	expect_no_match "alice against bob's init: nothing works" "=OK$" "$out"
	out=$(runuser_l "$BOB" "$ATTACK procmem 1")
	for k in attach seize mem_rw mem_ro vm_readv environ cwd fd0 getfd; do
		expect_no_match "bob inside against PID 1: $k fails" "^$k=OK$" "$out"
	done
	expect_match "the init leads its own session, without a tty" "^sid=$pid tty_nr=0$" \
		"$("$ATTACK" stat "$pid")"
	out=$(runuser_l "$BOB" "$ATTACK tiocsti /proc/1/fd/0; $ATTACK tiocsti /dev/console")
	expect_no_match "no TIOCSTI into a terminal of the init" "tiocsti=OK" "$out"
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	"$NSISO" stop "$BOB" >/dev/null 2>&1
	wait_gone "$BOB"
}

# A login on a real terminal (login in tmux): the helper and the init it
# builds never have that terminal as controlling tty, so nothing in the
# session can TIOCSTI into a root process's input.
s_33_tty_login() {
	sec_policy
	local bu hp pid
	bu=$(uid_of "$BOB")
	hold_lock "$bu" 30
	tmux -L nssec kill-server 2>/dev/null
	tmux -L nssec new-session -d -x 200 -y 50 "login -f $BOB"
	hp=$(helper_pid_for "$bu")
	expect_ne "login on a tty: the helper runs" "" "$hp"
	local lp
	lp=$(pgrep -x login | while read -r p; do [ "$(ps -o tty= -p "$p" | tr -d ' ')" != "?" ] && echo "$p"; done | head -1)
	if [ -n "$hp" ]; then
		expect_match "the helper started by login has no controlling tty" "^sid=$hp tty_nr=0$" \
			"$("$ATTACK" stat "$hp")"
	fi
	if [ -n "$lp" ]; then
		expect_match "control: login itself has the terminal" "tty_nr=[1-9]" "$("$ATTACK" stat "$lp")"
	fi
	release_lock
	pid=$(wait_env "$BOB")
	expect_ne "login on a tty: the environment is built" "" "$pid"
	[ -n "$pid" ] && expect_match "its init has no controlling tty" "tty_nr=0$" "$("$ATTACK" stat "$pid")"
	tmux_wait_prompt nssec 50
	tmux -L nssec send-keys "$ATTACK tiocsti /proc/1/fd/0 > /tmp/ti.out; $ATTACK tiocsti /dev/tty >> /tmp/ti.out; cp /tmp/ti.out ~/ti.out; exit" Enter
	for _ in $(seq 50); do [ -s "/home/$BOB/ti.out" ] && break; sleep 0.1; done
	local ti
	ti=$(cat "/home/$BOB/ti.out" 2>/dev/null)
	expect_match "inside: the init's fds cannot be opened for TIOCSTI" "^open=(EACCES|EPERM|ENOENT)" "$ti"
	log "       (TIOCSTI on the session's own tty: $(printf '%s' "$ti" | tail -1); legacy_tiocsti=$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null))"
	tmux -L nssec kill-server 2>/dev/null
	"$NSISO" stop "$BOB" >/dev/null 2>&1
	wait_gone "$BOB"
}
